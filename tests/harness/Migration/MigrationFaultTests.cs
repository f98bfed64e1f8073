using System.Diagnostics;
using Npgsql;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Cli;
using Tcdb.Harness.Tests.Verification;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Snapshots;
using static Tcdb.Harness.Tests.Servers.ServerTestSupport;

namespace Tcdb.Harness.Tests.Migration;

/// <summary>
/// Faults during <c>tcdb upgrade</c>: the server crashes (<c>pg_ctl stop -m immediate</c>) or the upgrader's backend is
/// terminated at a random point of a version's script or of an online migration. Afterwards the database is at a whole
/// version with exactly that version's catalog, and the next upgrade completes. Runs on a private cluster (it is crashed).
/// </summary>
[TestFixture]
public sealed class MigrationFaultTests
{
    private const int Rows = 300;
    private DbDirectoryBuilder dir = null!;
    private DbSchema schema = null!;
    private ThrowawayCluster cluster = null!;
    private readonly string prefix = "fault_" + new string(Enumerable.Range(0, 6).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());
    private readonly Dictionary<int, CatalogSnapshot> reference = [];

    public enum Fault
    {
        ServerCrash,
        BackendTerminated,
    }

    public enum Moment
    {
        VersionScript,
        OnlineMigration,
    }

    [OneTimeSetUp]
    public async Task StartClusterAndTakeReferenceCatalogs()
    {
        dir = FaultDirectory();
        schema = SchemaLoader.Load(dir.Path);
        try
        {
            cluster = await ThrowawayCluster.StartAsync(PostgresServers.MajorFromEnvironment());
        }
        catch (ServerUnavailableException e)
        {
            Assert.Ignore($"no local PostgreSQL binaries to crash a cluster of: {e.Message}");
        }

        // The catalog of each whole version, from a database that was never interrupted.
        await using var db = await cluster.CreateDatabaseAsync();
        for (var version = 1; version <= schema.LatestVersion; version++)
        {
            await using var migrator = new Migrator(schema, db.ConnectionString, new MigratorOptions { RolePrefix = RolePrefix.Parse(prefix) });
            await migrator.UpgradeAsync(version);
            reference[version] = await CatalogAsync(db.ConnectionString);
        }
    }

    [OneTimeTearDown]
    public async Task StopCluster()
    {
        dir?.Dispose();
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    [TestCase(Fault.ServerCrash, Moment.VersionScript, 1)]
    [TestCase(Fault.ServerCrash, Moment.OnlineMigration, 2)]
    [TestCase(Fault.BackendTerminated, Moment.VersionScript, 3)]
    [TestCase(Fault.BackendTerminated, Moment.OnlineMigration, 4)]
    public async Task AfterTheFaultTheDatabaseIsAtAWholeVersionAndTheNextUpgradeCompletes(Fault fault, Moment moment, int seed)
    {
        var random = new Random(seed);
        await using var db = await cluster.CreateDatabaseAsync();
        string[] common = ["--admin-db-url", db.ConnectionString, "--db-dir", dir.Path, "--role-prefix", prefix];
        Assert.That((await CliRun.RunAsync(["upgrade", "--to", "1", .. common])).ExitCode, Is.EqualTo(ExitCodes.Ok));
        await ExecuteAsync(db.ConnectionString, $"insert into things (id, name) select i, 'thing ' || i from generate_series(1, {Rows}) i");

        var upgrade = CliRun.RunAsync(["upgrade", .. common]);
        var marker = moment == Moment.VersionScript ? "pg_sleep" : "online_migration_v3_batch";
        var backend = await WaitForQueryAsync(db.Name, marker, upgrade);
        await Task.Delay(random.Next(0, 400));
        if (fault == Fault.ServerCrash)
        {
            await cluster.CrashAsync();
            await cluster.RestartAsync();
        }
        else
        {
            await ExecuteAsync(cluster.AdminConnectionString, $"select pg_terminate_backend({backend})");
        }

        var failed = await upgrade;
        await TestContext.Out.WriteLineAsync($"{fault} during {moment}: {failed}");
        Assert.That(failed.ExitCode, Is.AnyOf(ExitCodes.Findings, ExitCodes.UnusableInput), failed.ToString);
        Assert.That(failed.Error, Does.Contain("run tcdb upgrade again once the server is back"), failed.ToString);
        Assert.That(failed.Error, Does.Not.Contain("internal error"));

        var version = await ScalarAsync<int>(db.ConnectionString, "select version from tcversion");
        Assert.That(version, Is.EqualTo(moment == Moment.VersionScript ? 1 : 3), "the version being applied was rolled back as a whole");
        var differences = CatalogDiff.Compare(reference[version], await CatalogAsync(db.ConnectionString))
            .Where(d => d.IsDifference && !d.QualifiedName.Contains("online_migration_v3_", StringComparison.Ordinal))
            .ToList();
        Assert.That(differences.Select(d => d.ToString()), Is.Empty, $"the catalog of version {version}, apart from an unfinished online migration's functions");

        var again = await CliRun.RunAsync(["upgrade", .. common]);
        Assert.That(again.ExitCode, Is.EqualTo(ExitCodes.Ok), again.ToString);
        Assert.That(again.Out, Does.Contain($"database at version 3 (was {version})"));
        Assert.That(CatalogDiff.Compare(reference[3], await CatalogAsync(db.ConnectionString)).Where(d => d.IsDifference).Select(d => d.ToString()), Is.Empty);
        Assert.That(await ScalarAsync<long>(db.ConnectionString, "select count(*) from things where size_label is null"), Is.Zero);
    }

    [Test]
    public async Task VerifyAgainstAServerThatCrashesIsUnusableInputNotAnInternalError()
    {
        using var slow = new DbDirectoryBuilder().ScriptVersion(2, "begin\n  perform pg_sleep(30);\nend", "begin\nend");
        var verify = CliRun.RunAsync("verify", "--db-dir", slow.Path, "--jobs", "1", "--admin-db-url", ConnectionStrings.ToUrl(cluster.AdminConnectionString));
        var clock = Stopwatch.StartNew();
        while (await ScalarAsync<int?>(cluster.AdminConnectionString, "select pid from pg_stat_activity where position('pg_sleep(30)' in query) > 0 and pid <> pg_backend_pid() limit 1") is null)
        {
            Assert.That(verify.IsCompleted || clock.Elapsed > TimeSpan.FromSeconds(60), Is.False, () => $"verify never reached version 2: {(verify.IsCompleted ? verify.Result : "still running")}");
            await Task.Delay(50);
        }

        await cluster.CrashAsync();
        await cluster.RestartAsync();
        var run = await verify;
        await TestContext.Out.WriteLineAsync(run.ToString());

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("the server").And.Not.Contain("internal error"));
    }

    [Test]
    public async Task LockHeldByAnotherSessionFailsFastNamingTheTableAndTheBlockingQuery()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        string[] common = ["--admin-db-url", db.ConnectionString, "--db-dir", dir.Path, "--role-prefix", prefix];
        Assert.That((await CliRun.RunAsync(["upgrade", "--to", "1", .. common])).ExitCode, Is.EqualTo(ExitCodes.Ok));

        // What a running pg_dump holds: access share on every table, in an open transaction.
        await using var dump = new NpgsqlConnection(db.ConnectionString);
        await dump.OpenAsync();
        await using var transaction = await dump.BeginTransactionAsync();
        await using (var lockThings = new NpgsqlCommand("lock table things in access share mode", dump, transaction))
        {
            await lockThings.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        var run = await CliRun.RunAsync(["upgrade", "--lock-timeout", "2s", .. common]);
        await TestContext.Out.WriteLineAsync(run.ToString());

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "fails after the lock timeout, not after the blocker ends");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Error, Does.StartWith("tcdb upgrade: version 2: migration script line 4: canceling statement due to lock timeout (SQLSTATE 55P03)"));
        Assert.That(run.Error, Does.Contain($"it waited for a lock on things held by pid {dump.ProcessID} (idle in transaction for ")
            .And.Contain("running: lock table things in access share mode")
            .And.Contain("(timeouts: --lock-timeout 2 s)")
            .And.Contain("the upgrade to version 2 was rolled back, the database stays at version 1"));
        Assert.That(await ScalarAsync<int>(db.ConnectionString, "select version from tcversion"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<bool>(db.ConnectionString, "select to_regclass('public.parts') is null"), Is.True, "nothing of version 2 remains");
    }

    [Test]
    public async Task DowngradeWithALockTimeoutFailsFastAndStaysAtItsVersion()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        string[] common = ["--admin-db-url", db.ConnectionString, "--db-dir", dir.Path, "--role-prefix", prefix];
        Assert.That((await CliRun.RunAsync(["upgrade", .. common])).ExitCode, Is.EqualTo(ExitCodes.Ok));
        await using var reader = new NpgsqlConnection(db.ConnectionString);
        await reader.OpenAsync();
        await using var transaction = await reader.BeginTransactionAsync();
        await using (var slowQuery = new NpgsqlCommand("select count(*) from things", reader, transaction))
        {
            await slowQuery.ExecuteScalarAsync();
        }

        var run = await CliRun.RunAsync(["downgrade", "--to", "2", "--lock-timeout", "500ms", .. common]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Error, Does.StartWith("tcdb downgrade: version 3: downgrade script").And.Contain("lock timeout (SQLSTATE 55P03)")
            .And.Contain($"it waited for a lock on things held by pid {reader.ProcessID}").And.Contain("running: select count(*) from things")
            .And.Contain("the downgrade from version 3 was rolled back, the database stays at version 3"));
        Assert.That(await ScalarAsync<int>(db.ConnectionString, "select version from tcversion"), Is.EqualTo(3));
    }

    [Test]
    public async Task StatementTimeoutFailsTheVersionAndLeavesTheOneBefore()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        string[] common = ["--admin-db-url", db.ConnectionString, "--db-dir", dir.Path, "--role-prefix", prefix];
        Assert.That((await CliRun.RunAsync(["upgrade", "--to", "1", .. common])).ExitCode, Is.EqualTo(ExitCodes.Ok));

        var clock = Stopwatch.StartNew();
        var run = await CliRun.RunAsync(["upgrade", "--statement-timeout", "300ms", .. common]);

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Error, Does.StartWith("tcdb upgrade: version 2: migration script").And.Contain("canceling statement due to statement timeout (SQLSTATE 57014)")
            .And.Contain("(timeouts: --statement-timeout 0.3 s)")
            .And.Contain("the database stays at version 1"));
        Assert.That(await ScalarAsync<int>(db.ConnectionString, "select version from tcversion"), Is.EqualTo(1));

        var withoutTimeout = await CliRun.RunAsync(["upgrade", .. common]);
        Assert.That(withoutTimeout.ExitCode, Is.EqualTo(ExitCodes.Ok), withoutTimeout.ToString);
    }

    /// <summary>Waits until a backend of <paramref name="database"/> runs a query containing <paramref name="marker"/>; returns its pid.</summary>
    private async Task<int> WaitForQueryAsync(string database, string marker, Task<CliRun> upgrade)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.That(upgrade.IsCompleted, Is.False, () => $"the upgrade ended before the fault: {upgrade.Result}");
            var pid = await ScalarAsync<int?>(
                cluster.AdminConnectionString,
                "select pid from pg_stat_activity where datname = $1 and state = 'active' and position($2 in query) > 0 and pid <> pg_backend_pid() limit 1",
                database,
                marker);
            if (pid is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"no backend ran a query with {marker}");
        return 0;
    }

    private async Task<CatalogSnapshot> CatalogAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await CatalogSnapshot.TakeAsync(connection, new CatalogSnapshotOptions { RolePrefix = RolePrefix.Parse(prefix) });
    }

    /// <summary>Version 2: a script with pauses between its statements; version 3: a slow online migration of things.</summary>
    private static DbDirectoryBuilder FaultDirectory()
    {
        const string script = """
            begin
              create table parts (id integer primary key, name text not null);
              grant select on parts to $db_user_prefix$_svc;
              alter table things add column label text;
              perform pg_sleep(0.3);
              create index parts_name_idx on parts (name);
              perform pg_sleep(0.3);
            end
            """;
        const string online = """
            begin
              alter table things add column size_label text;
              create function online_migration_v3_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
              declare
                done integer := 0;
                item record;
              begin
                for item in select things.id from things where things.size_label is null order by things.id limit batch_size_in for update loop
                  update things set size_label = 'size ' || things.size where things.id = item.id;
                  perform pg_sleep(0.004);
                  done := done + 1;
                end loop;
                return query select done, '{}'::jsonb;
              end $$ language plpgsql;
              create function online_migration_v3_is_complete() returns boolean as $$
              begin
                return not exists (select 1 from things where things.size_label is null);
              end $$ language plpgsql;
            end
            """;
        return new DbDirectoryBuilder()
            .ScriptVersion(2, script, "begin\n  alter table things drop column label;\n  revoke select on parts from $db_user_prefix$_svc;\n  drop table parts;\nend")
            .ScriptVersion(3, online, "begin\n  alter table things drop column size_label;\nend")
            .Access("svc:\n  tables:\n    things: write\n    parts: read")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  label: text\n  size_label: text\nparts:\n  id: integer not null\n  name: text not null");
    }
}
