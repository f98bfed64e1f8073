using Tcdb.Cli;

namespace Tcdb.Harness.Tests.Migration;

[TestFixture]
public sealed class MigrationCommandTests
{
    private static string ChainDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "migrator-chain");

    [Test]
    public async Task UpgradeStatusDowngradeThroughTheCommandLine()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        string[] common = ["--admin-db-url", db.ConnectionString, "--db-dir", ChainDirectory, "--users-prefix", db.Prefix];

        var (exit, output, _) = await RunAsync(["upgrade", "--to", "2", .. common]);
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok));
        Assert.That(output, Does.Match(@"upgrade to version 2 successful \(\d+ ms\)"));
        Assert.That(output, Does.Contain("database at version 2 (was 0)"));
        Assert.That(await db.StringsAsync("select unnest(widget_words('a  b'))"), Is.EqualTo(new[] { "a", "b" }));

        await db.ExecuteAsync("insert into widgets (name, data) select 'w' || i, '{}' from generate_series(1, 30) i");
        (exit, output, _) = await RunAsync(["upgrade", .. common]);
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), output);
        Assert.That(output, Does.Contain("online migration for db version 3 complete").And.Contain("grants and columns match access.yml and tables.yml"));

        await db.ExecuteAsync($"grant insert on widgets to {db.Prefix}_svc_b");
        (exit, output, _) = await RunAsync(["status", .. common]);
        Assert.That(exit, Is.EqualTo(ExitCodes.Findings));
        Assert.That(output, Does.Contain("database version: 3 (latest in the db directory: 3)")
            .And.Contain($"  unexpected database user grant: {db.Prefix}_svc_b: INSERT on widgets"));

        (exit, output, _) = await RunAsync(["downgrade", "--to", "0", .. common]);
        Assert.That(exit, Is.EqualTo(ExitCodes.Ok), output);
        Assert.That(output, Does.Contain("downgrade to version 0 successful").And.Contain("database at version 0 (was 3)"));
        Assert.That(await db.TablesAsync(), Is.EqualTo(new[] { "tcversion" }));
    }

    [Test]
    public async Task UnusableInputExitsWithTwo()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var (exit, _, error) = await RunAsync(["upgrade", "--admin-db-url", db.ConnectionString, "--db-dir", ChainDirectory, "--users-prefix", "Bad1"]);
        Assert.That(exit, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(error, Does.StartWith("tcdb upgrade: users prefix 'Bad1' is invalid: it must match ^[a-z_]+$ (lowercase letters and underscores, no digits)"));

        (exit, _, error) = await RunAsync(["status", "--admin-db-url", db.ConnectionString, "--db-dir", Path.Combine(ChainDirectory, "nope"), "--users-prefix", db.Prefix]);
        Assert.That(exit, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(error, Does.StartWith("tcdb status: cannot load the db directory:"));

        (exit, _, error) = await RunAsync(["status", "--admin-db-url", "postgresql://postgres@127.0.0.1:1/postgres", "--db-dir", ChainDirectory, "--users-prefix", db.Prefix]);
        Assert.That(exit, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(error, Does.StartWith("tcdb status: cannot connect to"));

        (exit, _, error) = await RunAsync(["downgrade", "--admin-db-url", db.ConnectionString, "--db-dir", ChainDirectory, "--users-prefix", db.Prefix]);
        Assert.That(exit, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(error, Does.StartWith("tcdb downgrade: --to N is required"));
    }

    [Test]
    public async Task UnknownTargetVersionIsUnusableAndAFailingVersionExitsWithOne()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        string[] common = ["--admin-db-url", db.ConnectionString, "--db-dir", ChainDirectory, "--users-prefix", db.Prefix];
        var (exit, _, error) = await RunAsync(["upgrade", "--to", "9", .. common]);
        Assert.That(exit, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(error, Does.StartWith("tcdb upgrade: no such version 9; latest known version is 3"));

        await db.ExecuteAsync("create table widgets (id integer)");
        (exit, _, error) = await RunAsync(["upgrade", .. common]);
        Assert.That(exit, Is.EqualTo(ExitCodes.Findings));
        Assert.That(error, Does.StartWith("tcdb upgrade: version 1: migration script line 2: relation \"widgets\" already exists (SQLSTATE 42P07)"));
    }

    private static async Task<(int Exit, string Out, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, new CliContext(output, error, CancellationToken.None));
        return (exit, output.ToString(), error.ToString());
    }
}
