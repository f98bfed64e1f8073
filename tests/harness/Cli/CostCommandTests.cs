using System.Text.Json;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Schema;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Cli;

[TestFixture]
public sealed class CostCommandTests
{
    [Test]
    public async Task RescanningOnlineBatchExitsOneAndWritesMarkdownWithChartAndJson()
    {
        var reports = Directory.CreateTempSubdirectory("tcdb-cost-").FullName;
        var md = Path.Combine(reports, "cost.md");
        var json = Path.Combine(reports, "cost.json");
        var url = await ServerUrlAsync();

        var run = await CliRun.RunAsync("cost", "--db-dir", TestDirectories.Cost("online-rescan"), "--admin-db-url", url, "--scales", "2000", "--report", md);
        var again = await CliRun.RunAsync("cost", "--db-dir", TestDirectories.Cost("online-rescan"), "--admin-db-url", url, "--scales", "2000", "--report", json);

        Assert.That((run.ExitCode, again.ExitCode), Is.EqualTo((ExitCodes.Findings, ExitCodes.Findings)), run.ToString);
        Assert.That(run.Out, Does.Contain("v0002 add things.label").And.Contain("-- DEFECT"));
        Assert.That(run.Out, Does.Contain("DEFECT: online migration: each batch costs more than the one before"));
        Assert.That(run.Out, Does.Contain("FAILED: 2 version(s) measured"));
        Assert.That(File.ReadAllText(md), Does.Contain("![estimated time of the heaviest lock per version](cost.svg)").And.Contain("| 2 | DEFECT |"));
        Assert.That(File.ReadAllText(Path.Combine(reports, "cost.svg")), Does.StartWith("<svg").And.Contain(">v0002</text>"));
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var version = document.RootElement.GetProperty("results")[1];
        Assert.That(version.GetProperty("status").GetString(), Is.EqualTo("defect"));
        Assert.That(version.GetProperty("measured")[0].GetProperty("onlineMigration").GetProperty("grows").GetBoolean(), Is.True);
    }

    [Test]
    public async Task StatsFileAndBudgetDecideTheExitCode()
    {
        var stats = Path.Combine(Directory.CreateTempSubdirectory("tcdb-cost-").FullName, "stats.json");
        File.WriteAllText(stats, """{"tables": [{"table": "public.things", "rows": 40000000}]}""");
        var url = await ServerUrlAsync();
        string[] Args(string budget) => ["cost", "--db-dir", TestDirectories.Cost("alter-type"), "--admin-db-url", url, "--versions", "2", "--scales", "200,100000", "--stats", stats, "--budget", budget];

        var over = await CliRun.RunAsync(Args("2s"));
        var within = await CliRun.RunAsync(Args("1000h"));

        Assert.That(over.ExitCode, Is.EqualTo(ExitCodes.Findings), over.ToString);
        Assert.That(over.Out, Does.Contain("OVER BUDGET: `alter column type` rewrites `things` under ACCESS EXCLUSIVE: ~").And.Contain(" at 40 M rows; "));
        Assert.That(within.ExitCode, Is.EqualTo(ExitCodes.Ok), within.ToString);
        Assert.That(within.Out, Does.Contain("passed: 1 version(s) measured"));
    }

    [TestCase(new[] { "--rows", "5", "--stats", "s.json" }, "give either --stats or --rows, not both")]
    [TestCase(new[] { "--budget", "10" }, "--budget 10: '10' is not a duration")]
    [TestCase(new[] { "--scales", "2000,0" }, "--scales 2000,0: '0' is not a positive row count")]
    [TestCase(new[] { "--growth-factor", "1" }, "--growth-factor must be greater than 1")]
    [TestCase(new[] { "--report", "cost.xml" }, "the extension chooses the format: .json or .md")]
    [TestCase(new[] { "--stats", "no-such-stats.json" }, "no-such-stats.json: cannot read the stats file")]
    public async Task UnusableInputExitsTwoWithAPreciseMessage(string[] options, string message)
    {
        var run = await CliRun.RunAsync(["cost", "--db-dir", TestDirectories.Cost("alter-type"), "--admin-db-url", "postgresql://nobody@127.0.0.1:1/x", .. options]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain(message));
        Assert.That(run.Error, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public async Task WithoutASuperuserItExitsTwoSayingWhy()
    {
        var server = await TestServer.GetAsync();
        var role = "tcc_plain_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(server.AdminConnectionString, $"create role {role} login createdb");
        try
        {
            var url = ConnectionStrings.ToUrl(ConnectionStrings.WithUser(server.AdminConnectionString, role, null));

            var run = await CliRun.RunAsync("cost", "--db-dir", TestDirectories.Cost("alter-type"), "--admin-db-url", url, "--scales", "100");

            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
            Assert.That(run.Error, Does.Contain($"user {role} is not a superuser; tcdb creates and drops its own databases and roles there, so give the URL of a superuser"));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server.AdminConnectionString, $"drop role {role}");
        }
    }

    [Test]
    public async Task StatsReadsRowCountsAndSizesFromTheCatalog()
    {
        var server = await TestServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using (var connection = await db.OpenAsync())
        {
            await using var command = new Npgsql.NpgsqlCommand("create table tasks (id integer primary key); insert into tasks select generate_series(1, 1000); analyze tasks", connection);
            await command.ExecuteNonQueryAsync();
        }

        var run = await CliRun.RunAsync("stats", "--admin-db-url", ConnectionStrings.ToUrl(db.ConnectionString));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        using var document = JsonDocument.Parse(run.Out);
        var tasks = document.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "public.tasks");
        Assert.That(tasks.GetProperty("rows").GetInt64(), Is.EqualTo(1000));
        Assert.That(tasks.GetProperty("totalBytes").GetInt64(), Is.GreaterThan(8192));
        Assert.That(run.Out, Does.Not.Contain("password"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ServerUrlAsync() => ConnectionStrings.ToUrl((await TestServer.GetAsync()).AdminConnectionString);
}
