using Npgsql;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Verification;
using Tcdb.Harness.Tests.Verification;

namespace Tcdb.Harness.Tests.Servers;

/// <summary>
/// A server whose default collation does not sort like en_US.UTF-8 (a managed service created with C,
/// say): tcdb's databases get en_US.UTF-8 from template0 when the server has that locale, and the run
/// stops before any version with one message when it has not.
/// </summary>
[TestFixture]
public sealed class CollationTests
{
    [Test]
    public async Task DatabasesOnAServerWhoseDefaultIsCGetEnUs()
    {
        await using var cluster = await ClusterWithCTemplateAsync();
        await using (var db = await cluster.CreateDatabaseAsync())
        await using (var connection = await db.OpenAsync())
        await using (var command = new NpgsqlCommand("select datcollate from pg_database where datname = current_database()", connection))
        {
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(LocaleCheck.Locale));
        }

        using var dir = new DbDirectoryBuilder();
        var report = await new VerifyEngine(cluster, new VerifyOptions { Schema = SchemaLoader.Load(dir.Path), Jobs = 1, CheckPolicy = false }).RunAsync();
        Assert.That(report.Findings.Where(f => f.IsDefect), Is.Empty, string.Join("\n", report.Findings));
    }

    [Test]
    public async Task AServerWithoutTheLocaleStopsBeforeAnyVersion()
    {
        await using var cluster = await ClusterWithCTemplateAsync();
        cluster.RequiredLocale = "xx_XX.UTF-8";
        using var dir = new DbDirectoryBuilder();
        var engine = new VerifyEngine(cluster, new VerifyOptions { Schema = SchemaLoader.Load(dir.Path), Jobs = 2, CheckPolicy = false });
        var error = Assert.ThrowsAsync<ServerUnavailableException>(() => engine.RunAsync());
        Assert.That(error!.Message, Does.StartWith("the server's default collation C does not sort like en_US.UTF-8 (0 < a < A < b < B, which Taskcluster's slugid ordering needs), and a database with xx_XX.UTF-8 cannot be created there"));
    }

    private static async Task<ThrowawayCluster> ClusterWithCTemplateAsync()
    {
        var cluster = await ThrowawayCluster.StartAsync(PostgresServers.MajorFromEnvironment());
        await using var connection = new NpgsqlConnection(cluster.AdminConnectionString);
        await connection.OpenAsync();
        // What a server initialised with --locale=C looks like to tcdb: new databases copy template1.
        // (PostgreSQL 15 also records the collation's version, which C does not have.)
        var version = cluster.MajorVersion >= 15 ? ", datcollversion = null" : string.Empty;
        await using var command = new NpgsqlCommand($"update pg_database set datcollate = 'C', datctype = 'C'{version} where datname = 'template1'", connection);
        await command.ExecuteNonQueryAsync();
        return cluster;
    }
}
