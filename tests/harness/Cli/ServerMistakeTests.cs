using Npgsql;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Verification;
using Tcdb.Servers;
using Tcdb.Testing;
using static Tcdb.Harness.Tests.Servers.ServerTestSupport;

namespace Tcdb.Harness.Tests.Cli;

/// <summary>Mistakes about the server: an admin URL without the rights, a target below the database's version.</summary>
[TestFixture]
public sealed class ServerMistakeTests
{
    private const string Password = "not-a-superuser-pw";
    private IPostgresServer server = null!;
    private string role = null!;

    [OneTimeSetUp]
    public async Task CreateAnOrdinaryRole()
    {
        server = await TestServer.GetAsync();
        role = "tcdb_plain_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(server.AdminConnectionString, $"create role {role} login password '{Password}'");
        await ExecuteAsync(server.AdminConnectionString, $"comment on role {role} is '{RunMark.Current.Comment}'");
    }

    [OneTimeTearDown]
    public async Task DropTheRole()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(server.AdminConnectionString, $"drop role if exists {role}");
    }

    [Test]
    public async Task VerifyWithAnAdminUrlThatIsNoSuperuserExitsTwoWithoutThePassword()
    {
        using var dir = new DbDirectoryBuilder();

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", PlainUrl(server.AdminConnectionString));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain($"user {role} is not a superuser; tcdb creates and drops its own databases and roles there"));
        Assert.That(run.Error, Does.Contain("Password=***").And.Not.Contain(Password));
    }

    [Test]
    public async Task UpgradeWithAnAdminUrlWithoutRightsExitsTwoWithWhatIsNeeded()
    {
        using var dir = new DbDirectoryBuilder();
        await using var db = await server.CreateDatabaseAsync();
        await ExecuteAsync(db.ConnectionString, "create extension if not exists pgcrypto");

        var run = await CliRun.RunAsync("upgrade", "--db-dir", dir.Path, "--admin-db-url", PlainUrl(db.ConnectionString), "--role-prefix", "plain");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.StartWith("tcdb upgrade: the admin user may not do this: permission denied").And.Contain("(SQLSTATE 42501)")
            .And.Contain("--admin-db-url must name the owner of the database's tables with the CREATEROLE attribute (or a superuser)"));
        Assert.That(run.Error, Does.Not.Contain("internal error"));
    }

    [Test]
    public async Task UpgradeToALowerVersionSaysItDidNothingAndHowToDowngrade()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, "begin\nend", "begin\nend");
        await using var db = await server.CreateDatabaseAsync();
        var prefix = "lower_" + new string(Enumerable.Range(0, 6).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());
        string[] common = ["--db-dir", dir.Path, "--admin-db-url", db.ConnectionString, "--role-prefix", prefix];
        try
        {
            Assert.That((await CliRun.RunAsync(["upgrade", .. common])).ExitCode, Is.EqualTo(ExitCodes.Ok));

            var run = await CliRun.RunAsync(["upgrade", "--to", "1", .. common]);

            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
            Assert.That(run.Error.TrimEnd(), Is.EqualTo(
                "tcdb upgrade: nothing done: the database is at version 2, above --to 1, and upgrade never downgrades; to go down run tcdb downgrade --to 1"));
            var status = await CliRun.RunAsync(["status", .. common]);
            Assert.That(status.Out, Does.Contain("database version: 2"));
        }
        finally
        {
            await db.DisposeAsync();
            await ExecuteAsync(server.AdminConnectionString, $"drop role if exists {prefix}_svc");
        }
    }

    private string PlainUrl(string connectionString) =>
        ConnectionStrings.ToUrl(ConnectionStrings.WithUser(connectionString, role, Password));
}
