using Npgsql;
using Tcdb.Migration;
using static Tcdb.Harness.Tests.Migration.TestSchemas;

namespace Tcdb.Harness.Tests.Migration;

[TestFixture]
public sealed class OnlineMigrationTests
{
    private const int Rows = 99;

    /// <summary>Interrupts before the first batch after more than 20 rows of the pass are done.</summary>
    private static OnlineMigrationHooks InterruptAfter20Rows { get; } = new()
    {
        BatchSize = n => Math.Min(n, 10),
        BeforeBatch = batch => ValueTask.FromResult(batch.RowsInPass > 20 ? OnlineBatchDecision.Interrupt : OnlineBatchDecision.Continue),
    };

    [Test]
    public async Task OnlineMigrationRunsToCompletionAndDropsItsFunctions()
    {
        await using var db = await PreparedAsync();
        await using var migrator = db.Migrator(WidgetChain());

        var result = await migrator.UpgradeAsync();
        Assert.That(result.Findings, Is.Empty);
        Assert.That(await db.ScalarAsync<long>("select count(*) from widgets where upper_name = upper(name)"), Is.EqualTo(Rows));
        Assert.That(await db.FunctionsAsync(), Has.None.StartsWith("online_"));
        var online = db.Progress.Where(p => p.Stage == MigrationStage.OnlineBatches).ToList();
        Assert.That(online, Is.Not.Empty);
        Assert.That(online[0].Message, Does.Match(@"^   \d+ items complete at [\d.]+/s"));
        Assert.That(db.Progress.Single(p => p.Stage == MigrationStage.OnlineCompleted).Online!.Rows, Is.EqualTo(Rows));
    }

    [Test]
    public async Task BatchSizeFollowsTheHookAndStateIsPassed()
    {
        await using var db = await PreparedAsync();
        var seen = new List<(int Pass, long Rows)>();
        await using var migrator = db.Migrator(WidgetChain(), o => o with
        {
            OnlineHooks = new OnlineMigrationHooks
            {
                BeforeBatch = batch =>
                {
                    seen.Add((batch.Pass, batch.RowsInPass));
                    return ValueTask.FromResult(OnlineBatchDecision.Continue);
                },
                BatchSize = n => Math.Min(n, 10),
            },
        });

        await migrator.UpgradeAsync();
        Assert.That(seen.Take(4).Select(s => s.Rows), Is.EqualTo(new long[] { 0, 1, 11, 21 }));
        Assert.That(seen.Max(s => s.Rows), Is.EqualTo(Rows), "the pass ends with one empty batch after all rows");
        Assert.That(seen.Select(s => s.Pass).Distinct(), Is.EqualTo(new[] { 0 }), "one pass: the keyset state made every batch progress");
    }

    [Test]
    public async Task InterruptedByAKilledConnectionThenResumed()
    {
        await using var db = await PreparedAsync();
        var applicationName = "tcdb_online_" + db.Prefix;
        var killed = false;
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = applicationName }.ConnectionString;
        await using (var migrator = db.Migrator(WidgetChain(), o => o with
        {
            OnlineHooks = new OnlineMigrationHooks
            {
                BatchSize = n => Math.Min(n, 10),
                BeforeBatch = async batch =>
                {
                    if (batch.RowsInPass > 20 && !killed)
                    {
                        killed = true;
                        await using var connection = new NpgsqlConnection(db.ConnectionString);
                        await connection.OpenAsync();
                        await using var kill = new NpgsqlCommand("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", connection);
                        kill.Parameters.Add(new NpgsqlParameter { Value = applicationName });
                        await kill.ExecuteNonQueryAsync();
                    }

                    return OnlineBatchDecision.Continue;
                },
            },
        }, connectionString))
        {
            Assert.That(async () => await migrator.UpgradeAsync(), Throws.InstanceOf<Exception>());
        }

        Assert.That(killed, Is.True);
        await using var resumed = db.Migrator(WidgetChain());
        Assert.That(await resumed.CurrentVersionAsync(), Is.EqualTo(3), "version 3 was committed before its online migration");
        var done = await db.ScalarAsync<long>("select count(*) from widgets where upper_name is not null");
        Assert.That(done, Is.GreaterThan(0).And.LessThan(Rows));
        Assert.That(await resumed.UnfinishedOnlineStepAsync(), Does.StartWith("online migration of version 3 is unfinished (online_migration_v3_batch exists)"));

        var result = await resumed.UpgradeAsync();
        Assert.That(result.Findings, Is.Empty);
        Assert.That(await db.ScalarAsync<long>("select count(*) from widgets where upper_name = upper(name)"), Is.EqualTo(Rows));
        Assert.That(await db.FunctionsAsync(), Has.None.StartsWith("online_"));
        Assert.That(await resumed.UnfinishedOnlineStepAsync(), Is.Null);
    }

    [Test]
    public async Task InterruptedThenDowngraded()
    {
        await using var db = await PreparedAsync();
        await using (var interrupting = db.Migrator(WidgetChain(), o => o with { OnlineHooks = InterruptAfter20Rows }))
        {
            var interrupted = await interrupting.UpgradeAsync();
            Assert.That(interrupted.InterruptedBefore, Is.EqualTo(new OnlineBatch(3, OnlineDirection.Upgrade, 0, 21)));
            Assert.That((interrupted.ToVersion, interrupted.Checked, interrupted.Findings), Is.EqualTo((3, false, Array.Empty<CheckFinding>())));

            // The next upgrade resumes the current version's online migration first, and stops the same way.
            var resumed = await interrupting.UpgradeAsync();
            Assert.That((resumed.FromVersion, resumed.ToVersion, resumed.InterruptedBefore), Is.EqualTo((3, 3, (OnlineBatch?)new OnlineBatch(3, OnlineDirection.Upgrade, 0, 21))));
        }

        await using var migrator = db.Migrator(WidgetChain());
        Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(3));
        await migrator.DowngradeAsync(2);
        Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(2));
        Assert.That(await db.FunctionsAsync(), Has.None.StartsWith("online_"), "the downgrade drops the aborted migration's functions");
        Assert.That(await db.ScalarAsync<long>("select count(*) from information_schema.columns where table_name = 'widgets' and column_name = 'upper_name'"), Is.Zero);
        Assert.That(await db.ScalarAsync<long>("select count(*) from widgets"), Is.EqualTo(Rows));

        var result = await migrator.UpgradeAsync();
        Assert.That(result.Findings, Is.Empty);
        Assert.That(await db.ScalarAsync<long>("select count(*) from widgets where upper_name = upper(name)"), Is.EqualTo(Rows));
    }

    [Test]
    public async Task OnlineDowngradeRunsInterruptedAndResumes()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var versions = WidgetVersions().Take(1).ToList();
        versions.Add(Version(
            2,
            "begin alter table widgets add column flag boolean; end",
            """
            begin
              create function online_downgrade_v2_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
              begin
                return query with done as (
                  update widgets set flag = null
                  where widgets.name in (select w.name from widgets w where w.flag is not null limit batch_size_in)
                  returning 1)
                select count(*)::integer, '{}'::jsonb from done;
              end
              $$ language plpgsql;
              create function online_downgrade_v2_is_complete() returns boolean as $$
              begin
                return not exists (select 1 from widgets where flag is not null);
              end
              $$ language plpgsql;
            end
            """));
        var schema = NewSchema(versions, WidgetAccess());
        await using var migrator = db.Migrator(schema);
        await migrator.UpgradeAsync(1);
        await db.ExecuteAsync($"insert into widgets (name, data) select 'w' || i, '{{}}' from generate_series(1, {Rows}) i");
        await migrator.UpgradeAsync();
        await db.ExecuteAsync("update widgets set flag = true");

        await using (var interrupting = db.Migrator(schema, o => o with { OnlineHooks = InterruptAfter20Rows }))
        {
            var interrupted = await interrupting.DowngradeAsync(1);
            Assert.That(interrupted.InterruptedBefore, Is.EqualTo(new OnlineBatch(2, OnlineDirection.Downgrade, 0, 21)));
            Assert.That((interrupted.FromVersion, interrupted.ToVersion), Is.EqualTo((2, 1)));
        }

        Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(1));
        Assert.That(await migrator.UnfinishedOnlineStepAsync(), Does.StartWith("online downgrade of version 2 is unfinished"));
        Assert.That(await db.ScalarAsync<long>("select count(*) from widgets where flag is null"), Is.GreaterThan(20).And.LessThan(Rows));

        await migrator.DowngradeAsync(1);
        Assert.That(await db.ScalarAsync<long>("select count(*) from widgets where flag is null"), Is.EqualTo(Rows));
        Assert.That(await db.FunctionsAsync(), Has.None.StartsWith("online_"));
    }

    [Test]
    [TestCase("")]
    [TestCase("create table items (id integer primary key); insert into items select generate_series(1, 10);")]
    public async Task APassThatWritesNothingEndsAsNeverCompleting(string before)
    {
        // Rows the version's own transaction wrote just before on the same session are not the batches' writes.
        await using var db = await MigrationTestDatabase.CreateAsync();
        var schema = NewSchema([Version(
            1,
            $$"""
            begin
              {{before}}
              create function online_migration_v1_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
              begin
                return query select 0, state_in;
              end
              $$ language plpgsql;
              create function online_migration_v1_is_complete() returns boolean as $$ begin return false; end $$ language plpgsql;
            end
            """,
            "begin end")]);
        await using var migrator = db.Migrator(schema, o => o with { UnchangedPassLimit = 3 });

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
        Assert.That(error!.Failure, Is.EqualTo(MigrationFailure.OnlineNeverCompletes));
        Assert.That(error.Message, Does.StartWith(
            "version 1: online migration for db version 1 never completes: 3 passes in a row left every table unchanged (no row written); online_migration_v1_is_complete() still returns false (its check: begin return false; end)"));
        Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(1));
        Assert.That(db.Progress.Count(p => p.Message.StartsWith("..checking completion", StringComparison.Ordinal)), Is.EqualTo(3));
    }

    /// <summary>
    /// The shape that once hung verification: every pass walks all rows (so each batch reports progress)
    /// and rewrites the incomplete ones, but five rows can never be completed.
    /// </summary>
    [Test]
    public async Task APassThatRewritesTheSameRowsEndsAsNeverCompleting()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var schema = NewSchema([Version(
            1,
            CopyingMigration("case when i <= 5 then null else 'v' || i end", rows: 50, firstId: 0),
            "begin drop table items; end")]);
        await using var migrator = db.Migrator(schema, o => o with { UnchangedPassLimit = 2 });

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
        Assert.That(error!.Failure, Is.EqualTo(MigrationFailure.OnlineNeverCompletes));
        Assert.That(error.Message, Does.Contain("2 passes in a row left every table unchanged (rewrote public.items with the same rows)"));
        Assert.That(error.Message, Does.Contain("perform 1 from items where items.copy is null limit 1"));
        Assert.That(await db.ScalarAsync<long>("select count(*) from items where copy is null"), Is.EqualTo(5), "the rows that could be completed were");
    }

    [Test]
    public async Task ABatchThatReturnsToAnEarlierStateWithoutWritingEndsAsNeverCompleting()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var schema = NewSchema([Version(
            1,
            """
            begin
              create function online_migration_v1_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
              begin
                -- reports progress forever: the state cycles through three values
                return query select 1, jsonb_build_object('step', (coalesce((state_in ->> 'step')::integer, 0) + 1) % 3);
              end
              $$ language plpgsql;
              create function online_migration_v1_is_complete() returns boolean as $$ begin return false; end $$ language plpgsql;
            end
            """,
            "begin end")]);
        await using var migrator = db.Migrator(schema);

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
        Assert.That(error!.Failure, Is.EqualTo(MigrationFailure.OnlineNeverCompletes));
        Assert.That(error.Message, Does.Contain("returned count 1 with state {\"step\": 1} again without writing a row since it last did"));
    }

    [Test]
    public async Task APassThatCompletesRowsAddedMeanwhileIsProgress()
    {
        // Services keep inserting rows while the online step runs: each pass has new rows to handle, so
        // the step is not stopped as long as the table changes, and completes once they stop.
        await using var db = await MigrationTestDatabase.CreateAsync();
        var schema = NewSchema([Version(
            1,
            CopyingMigration("'v' || i", rows: 20, firstId: -1000000),
            "begin drop table items; end")]);
        var inserted = 0;
        var connectionString = db.ConnectionString;
        await using var migrator = db.Migrator(schema, o => o with
        {
            UnchangedPassLimit = 1,
            OnlineHooks = new OnlineMigrationHooks
            {
                BatchSize = _ => 1,
                BeforeBatch = async batch =>
                {
                    // A "service" adds a row behind the batch's cursor once in each of the first four passes.
                    if (batch.RowsInPass == 10 && batch.Pass < 4)
                    {
                        await using var connection = new NpgsqlConnection(connectionString);
                        await connection.OpenAsync();
                        await using var command = new NpgsqlCommand($"insert into items (id, source) values ({-1 - batch.Pass}, 'late')", connection);
                        await command.ExecuteNonQueryAsync();
                        inserted++;
                    }

                    return OnlineBatchDecision.Continue;
                },
            },
        });

        await migrator.UpgradeAsync();
        Assert.That(inserted, Is.EqualTo(4));
        Assert.That(await db.ScalarAsync<long>("select count(*) from items where copy is null"), Is.Zero);
    }

    /// <summary>
    /// Version 1: table items with <paramref name="rows"/> rows whose source is <paramref name="source"/> (SQL over
    /// <c>i</c>), and an online migration that walks every row by key (from <paramref name="firstId"/>), copying
    /// source to copy where copy is still null; complete when no copy is null.
    /// </summary>
    private static string CopyingMigration(string source, int rows, int firstId) => $"""
        begin
          create table items (id integer primary key, source text, copy text);
          insert into items (id, source) select i, {source} from generate_series(1, {rows}) i;
          {OnlineKeyWalk(
              "migration",
              1,
              "items",
              "update items set copy = items.source where items.id = item.id and items.copy is null",
              "perform 1 from items where items.copy is null limit 1;\n  return not found;",
              firstId)}
        end
        """;

    private static async Task<MigrationTestDatabase> PreparedAsync()
    {
        var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());
        await migrator.UpgradeAsync(2);
        await db.ExecuteAsync($"insert into widgets (name, data) select 'w' || lpad(i::text, 3, '0'), '{{}}' from generate_series(1, {Rows}) i");
        db.Progress.Clear();
        return db;
    }
}
