using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Servers;

/// <summary>Run marks: what tcdb creates names its run, and only objects of runs that are gone are dropped.</summary>
[TestFixture]
public sealed class LeftoversTests
{
    [Test]
    public async Task CreatedDatabasesCarryTheRunMark()
    {
        var server = await TestServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();

        var comment = await ServerTestSupport.ScalarAsync<string?>(server.AdminConnectionString, $"select shobj_description(oid, 'pg_database') from pg_database where datname = '{db.Name}'");

        Assert.That(comment, Is.EqualTo(RunMark.Current.Comment));
        Assert.That(RunMark.Parse(comment), Is.EqualTo(RunMark.Current with { Started = RunMark.Current.Started.AddTicks(-(RunMark.Current.Started.Ticks % TimeSpan.TicksPerSecond)) }));
        Assert.That(comment, Does.Match($@"^tcdb run [0-9a-f]{{8}} \(host {Environment.MachineName}, pid {Environment.ProcessId}, started \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$"));
    }

    [Test]
    public async Task OnlyObjectsOfRunsThatAreGoneAreDropped()
    {
        var server = await TestServer.GetAsync();
        await using var live = await server.CreateDatabaseAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var gone = RunMark.Current with { Key = RunMark.Current.Key ^ 0x5a5a5a5, ProcessId = 1 };
        var goneDatabase = $"tcdb_gone_{suffix}";
        var goneRole = $"tcv_gone_{suffix}";
        var unmarked = $"tcdb_unmarked_{suffix}";
        await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"create database {goneDatabase}");
        await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"comment on database {goneDatabase} is {gone.CommentLiteral}");
        await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"create role {goneRole}");
        await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"comment on role {goneRole} is {gone.CommentLiteral}");
        await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"create database {unmarked}");
        try
        {
            var cleanup = await Leftovers.RemoveAsync(server.AdminConnectionString);

            Assert.That(cleanup.DroppedDatabases, Does.Contain(goneDatabase).And.Not.Contain(live.Name).And.Not.Contain(unmarked));
            Assert.That(cleanup.DroppedRoles, Does.Contain(goneRole));
            Assert.That(await ServerTestSupport.ScalarAsync<string?>(server.AdminConnectionString, $"select string_agg(datname, ',' order by datname) from pg_database where datname in ('{goneDatabase}', '{live.Name}', '{unmarked}')"),
                Is.EqualTo(string.Join(',', new[] { live.Name, unmarked }.Order(StringComparer.Ordinal))));
            Assert.That(cleanup.Lines("server").First(), Does.StartWith("dropped ").And.Contain("database(s) left on server by tcdb runs that are gone: ").And.Contain(goneDatabase));
        }
        finally
        {
            await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"drop database if exists {goneDatabase}");
            await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"drop database if exists {unmarked}");
            await ServerTestSupport.ExecuteAsync(server.AdminConnectionString, $"drop role if exists {goneRole}");
        }
    }

    [TestCase("made by hand")]
    [TestCase("tcdb run zz (host h, pid 1, started 2026-01-01T00:00:00Z)")]
    public void CommentsTcdbDidNotWriteAreNotRunMarks(string comment) =>
        Assert.That(RunMark.Parse(comment), Is.Null);
}
