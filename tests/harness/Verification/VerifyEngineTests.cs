using Tcdb.Schema;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// Each test seeds one real defect into a small directory (version 1 is sound, version 2 carries the
/// defect) and checks that verification names it, at one job and at several alike; sound directories pass.
/// </summary>
[TestFixture]
public sealed class VerifyEngineTests
{
    private const string SoundDowngrade = "begin\nend";

    [Test]
    public async Task SoundDirectoryPasses()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2,
                "begin\n  alter table things add column color text;\n  create index things_color_idx on things (color);\nend",
                "begin\n  drop index things_color_idx;\n  alter table things drop column color;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  color: text");
        var report = await VerifyAsync(dir);
        Assert.That(Defects(report), Is.Empty);
        Assert.That(report.Versions.Select(v => v.Version), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(report.Versions[0].SeededRows, Is.Zero, "nothing to seed at version 0");
        Assert.That(report.Versions[1].SeededRows, Is.GreaterThan(0), "version 2 starts from seeded things");
    }

    [TestCase("create index things_size_idx on things (size);", "+ index public.things_size_idx")]
    [TestCase("create function helper_fn() returns integer as $$ select 1 $$ language sql;", "+ function public.helper_fn()")]
    [TestCase("create sequence thing_numbers;", "+ sequence public.thing_numbers")]
    [TestCase("create type mood as enum ('ok', 'meh');", "+ enum type public.mood")]
    [TestCase("create view big_things as select id from things where size > 10;", "+ view public.big_things")]
    [TestCase("alter table things add constraint things_size_positive check (size >= 0);", "+ constraint public.things.things_size_positive")]
    [TestCase("alter table things alter column size set default 5;", "~ column public.things.size: default 0 -> 5")]
    [TestCase("grant truncate on things to $db_user_prefix$_svc;", "+ grant TRUNCATE on table public.things to")]
    [TestCase("create function touch() returns trigger as $$ begin return new; end $$ language plpgsql;\n  create trigger things_touch before update on things for each row execute procedure touch();", "+ trigger public.things.things_touch")]
    public async Task StrayObjectOfADowngradeIsCaught(string migration, string expected)
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, $"begin\n  {migration}\nend", SoundDowngrade);
        var report = await VerifyAsync(dir);
        var defect = Defects(report).FirstOrDefault(d => d.Version == 2 && d.Message.StartsWith(expected, StringComparison.Ordinal));
        Assert.That(defect, Is.Not.Null, $"expected a version-2 defect starting with '{expected}', got:\n{string.Join("\n", Defects(report))}");
        Assert.That(defect!.Kind, Is.EqualTo(expected[0] == '~' ? VerificationFindingKind.ChangedObject : VerificationFindingKind.StrayObject));
        Assert.That(defect.Message, Does.EndWith("(after downgrade to 1)"));
        Assert.That(defect.ToString(), Does.StartWith("v0002 defect "));
    }

    [Test]
    public async Task ObjectDroppedByADowngradeIsMissing()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, "begin\n  alter table things add column color text;\nend", "begin\n  alter table things drop column color;\n  drop index things_name_idx;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  color: text");
        var report = await VerifyAsync(dir);
        Assert.That(Messages(report, VerificationFindingKind.MissingObject), Has.Some.StartsWith("- index public.things_name_idx"));
    }

    [Test]
    public async Task DowngradeThatLosesRowsIsCaught()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2,
            "begin\n  alter table things add column color text;\nend",
            "begin\n  delete from things where id % 2 = 0;\n  alter table things drop column color;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  color: text");
        var report = await VerifyAsync(dir);
        Assert.That(
            Messages(report, VerificationFindingKind.DataChanged),
            Is.EqualTo(new[] { "rows held at version 2 did not survive the downgrade to 1 and the re-upgrade: 30 row(s) lost; e.g. - row public.things (id)=(10): " })
                .Using<string, string>((actual, expected) => actual.StartsWith(expected, StringComparison.Ordinal)));
    }

    [Test]
    public async Task DowngradeThatAltersRowsNamesTheColumnAndValues()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2,
            "begin\n  update things set size = size + 1;\nend",
            "begin\n  update things set size = size + 2;\nend");
        var report = await VerifyAsync(dir);
        var defect = report.Findings.Single(f => f.IsDefect && f.Kind == VerificationFindingKind.DataChanged);
        Assert.That(defect.Object, Is.EqualTo("table public.things"));
        Assert.That(defect.Message, Does.StartWith($"rows held at version 2 did not survive the downgrade to 1 and the re-upgrade: {VerifyOptions.DefaultRowsPerTable} row(s) changed (size in {VerifyOptions.DefaultRowsPerTable}); e.g. ~ row public.things (id)=(1): size '"));
        Assert.That(report.Findings.Where(f => f.Kind == VerificationFindingKind.DataDiscarded), Is.Empty, "the defect covers the table");
    }

    [Test]
    public async Task RegeneratedColumnsAreNotDataLoss()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2,
            "begin\n  update things set size = size + 1;\nend",
            "begin\n  update things set size = size + 2;\nend");
        var hooks = new Dictionary<int, VersionHooks> { [2] = new() { RegeneratedColumns = ["things.size"] } };
        var report = await VerifyAsync(dir, hooks: hooks);
        Assert.That(Messages(report, VerificationFindingKind.DataChanged), Is.Empty);
    }

    [Test]
    public async Task ReupgradeThatFailsIsCaught()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, "begin\n  create table extras (id integer);\nend", "begin\n  alter table extras rename to extras_old;\nend");
        var report = await VerifyAsync(dir);
        Assert.That(Messages(report, VerificationFindingKind.StrayObject), Has.Some.StartsWith("+ table public.extras_old"));
        Assert.That(Messages(report, VerificationFindingKind.ReupgradeDiffers), Has.Some.StartsWith("+ table public.extras_old"));
    }

    [Test]
    public async Task ReupgradeConflictWithALeftoverFails()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, "begin\n  create sequence thing_numbers;\nend", SoundDowngrade);
        var report = await VerifyAsync(dir);
        Assert.That(Messages(report, VerificationFindingKind.ReupgradeFailed), Has.Some.Contains("relation \"thing_numbers\" already exists"));
    }

    [Test]
    public async Task GrantsAtLatestMustEqualAccessYml()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  create table notes (id integer primary key);\nend", "begin\n  drop table notes;\nend")
            .Access("svc:\n  tables:\n    things: read\n    notes: write")
            .Tables(DbDirectoryBuilder.BaseTables + "\nnotes:\n  id: integer not null");
        var report = await VerifyAsync(dir);
        var drift = Messages(report, VerificationFindingKind.GrantDrift);
        const string Where = " (after upgrading to the latest version)";
        Assert.That(
            drift.Select(m => System.Text.RegularExpressions.Regex.Replace(m, "[a-z0-9_]+_svc:", "svc:")),
            Is.EquivalentTo(new[]
            {
                "unexpected database user grant: svc: INSERT on things" + Where,
                "unexpected database user grant: svc: UPDATE on things" + Where,
                "unexpected database user grant: svc: DELETE on things" + Where,
                "missing database user grant: svc: SELECT on notes" + Where,
                "missing database user grant: svc: INSERT on notes" + Where,
                "missing database user grant: svc: UPDATE on notes" + Where,
                "missing database user grant: svc: DELETE on notes" + Where,
            }),
            string.Join("\n", drift));
    }

    [Test]
    public async Task ColumnsAtLatestMustEqualTablesYml()
    {
        using var dir = new DbDirectoryBuilder().Tables("things:\n  id: integer not null\n  name: text not null\n  size: bigint not null");
        var report = await VerifyAsync(dir);
        Assert.That(Messages(report, VerificationFindingKind.ColumnDrift), Has.Some.Contains("size").And.Some.Contains("bigint"));
    }

    [Test]
    public async Task NeverCompletingOnlineMigrationStopsWithAClearError()
    {
        const string migration = """
            begin
              create function online_migration_v2_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
              begin
                return query select 0, null::jsonb;
              end $$ language plpgsql;
              create function online_migration_v2_is_complete() returns boolean as $$
              begin
                return false;
              end $$ language plpgsql;
            end
            """;
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, migration, SoundDowngrade);
        var report = await VerifyAsync(dir);
        Assert.That(Messages(report, VerificationFindingKind.OnlineNeverCompletes), Has.Some.Contains("online migration for db version 2 never completes"));
    }

    [Test]
    public async Task MethodReadingAColumnALaterVersionDroppedIsCaught()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2,
                "begin\n  alter table things drop column size;\nend",
                "begin\n  alter table things add column size integer not null default 0;\nend",
                """
                methods:
                  get_thing_size:
                    description: the size of a thing
                    mode: read
                    serviceName: svc
                    args: id_in integer
                    returns: integer
                    body: |-
                      begin
                        return 1;
                      end
                """)
            .Version(3, """
                version: 3
                description: the size of a thing, the old way
                methods:
                  get_thing_size:
                    description: the size of a thing
                    mode: read
                    serviceName: svc
                    args: id_in integer
                    returns: integer
                    body: |-
                      begin
                        return (select things.size from things where things.id = id_in);
                      end
                """)
            .Tables("things:\n  id: integer not null\n  name: text not null");
        var report = await VerifyAsync(dir);
        Assert.That(
            Messages(report, VerificationFindingKind.FunctionBroken),
            Is.EqualTo(new[] { "function get_thing_size cannot run at version 3 (after the upgrade to 3): 42703 column things.size does not exist (PL/pgSQL function get_thing_size(integer) line 2 at RETURN)" }));
    }

    [Test]
    public async Task ReadMethodThatWritesIsCaught()
    {
        using var dir = new DbDirectoryBuilder().Version(2, """
            version: 2
            description: a read method that writes
            methods:
              touch_things:
                description: touches things
                mode: read
                serviceName: svc
                args: ''
                returns: void
                body: |-
                  begin
                    update things set size = size + 1;
                  end
            """);
        var report = await VerifyAsync(dir);
        Assert.That(Messages(report, VerificationFindingKind.FunctionBroken), Has.Some.Contains("touch_things").And.Some.Contains("read-mode method writes"));
    }

    [Test]
    public async Task OnlineMigrationSurvivesInterruptions()
    {
        using var dir = OnlineDirectory();
        var checkpoints = new List<string>();
        var hooks = new Dictionary<int, VersionHooks>
        {
            [2] = new()
            {
                DuringOnlineWork = async (db, direction, checkpoint) =>
                {
                    checkpoints.Add($"{direction} {checkpoint}");
                    Assert.That(await db.ScalarAsync<long>("select count(*) from things"), Is.EqualTo(VerifyOptions.DefaultRowsPerTable));
                },
            },
        };
        var report = await VerifyAsync(dir, hooks: hooks);
        Assert.That(Defects(report), Is.Empty);
        Assert.That(checkpoints, Does.Contain("Upgrade MidOnline").And.Contain("Upgrade Done").And.Contain("Upgrade BeforeFirstBatch"));
        Assert.That(report.Versions[1].Notes, Has.Some.StartsWith("random interruption before batch"));
    }

    [Test]
    public async Task OnlineMigrationWithTooLittleDataIsADefect()
    {
        using var dir = OnlineDirectory();
        var report = await VerifyAsync(dir, rows: 5);
        Assert.That(Messages(report, VerificationFindingKind.OnlineMigration), Has.Some.Contains("too little data was seeded to see several batches"));
    }

    [Test]
    public async Task UpgradeThatOnlyFailsOnGenericRowsIsAWarningUnlessStrict()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2,
            "begin\n  if exists (select 1 from things) then\n    raise exception 'cannot migrate existing things';\n  end if;\nend",
            SoundDowngrade);
        var lenient = await VerifyAsync(dir);
        Assert.That(Defects(lenient), Is.Empty);
        Assert.That(lenient.Findings.Where(f => f.Kind == VerificationFindingKind.NeedsVersionSeed).Select(f => f.Message), Has.Some.Contains("cannot migrate existing things"));

        var strict = await VerifyAsync(dir, strict: true);
        Assert.That(strict.Findings.Where(f => f.IsDefect && f.Kind == VerificationFindingKind.NeedsVersionSeed), Is.Not.Empty);
    }

    [Test]
    public async Task AnUpgradeRetriedWithoutGenericRowsIsJudgedFromTheEmptiedRows()
    {
        // The retry starts from empty tables at 1: the rows its upgrade inserts are not data the downgrade lost.
        using var dir = new DbDirectoryBuilder().ScriptVersion(2,
            "begin\n  if exists (select 1 from things) then\n    raise exception 'cannot migrate existing things';\n  end if;\n  create table notes (note_id integer primary key);\n  insert into notes values (1), (2);\n  grant select on notes to $db_user_prefix$_svc;\n  insert into things (id, name) values (1, 'made by the upgrade');\nend",
            "begin\n  drop table notes;\n  delete from things;\nend")
            .Access(DbDirectoryBuilder.BaseAccess + "\n    notes: read")
            .Tables(DbDirectoryBuilder.BaseTables + "\nnotes:\n  note_id: integer not null");
        var report = await VerifyAsync(dir);
        Assert.That(Defects(report), Is.Empty);
        Assert.That(report.Findings.Select(f => f.Kind), Is.EqualTo(new[] { VerificationFindingKind.NeedsVersionSeed }));
        Assert.That(report.Versions[1].Rows, Is.EqualTo((0L, 3L, 0L)), "rows at 1 after emptying, at 2, after the downgrade");
    }

    [Test]
    public void SegmentsSplitTheRangeEvenly()
    {
        Assert.That(VerifyEngine.Segments(1, 10, 3), Is.EqualTo(new[] { (1, 4), (5, 7), (8, 10) }));
        Assert.That(VerifyEngine.Segments(3, 4, 8), Is.EqualTo(new[] { (3, 3), (4, 4) }));
    }

    /// <summary>Version 2 adds a column filled by an online migration of one row per batch step, and drops it on the way down.</summary>
    internal static DbDirectoryBuilder OnlineDirectory()
    {
        const string migration = """
            begin
              alter table things add column label text;
              create function online_migration_v2_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
              declare
                done integer;
              begin
                with batch as (
                  select things.id from things where things.label is null order by things.id limit batch_size_in for update
                )
                update things set label = 'thing ' || things.name from batch where things.id = batch.id;
                get diagnostics done = row_count;
                return query select done, '{}'::jsonb;
              end $$ language plpgsql;
              create function online_migration_v2_is_complete() returns boolean as $$
              begin
                return not exists (select 1 from things where things.label is null);
              end $$ language plpgsql;
            end
            """;
        return new DbDirectoryBuilder()
            .ScriptVersion(2, migration, "begin\n  alter table things drop column label;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  label: text");
    }

    private static Task<VerificationReport> VerifyAsync(DbDirectoryBuilder dir, IReadOnlyDictionary<int, VersionHooks>? hooks = null, bool strict = false, int rows = VerifyOptions.DefaultRowsPerTable) =>
        EngineRuns.AtOneAndSeveralJobsAsync(new VerifyOptions
        {
            Schema = SchemaLoader.Load(dir.Path),
            Strict = strict,
            RowsPerTable = rows,
            CheckPolicy = false,
            Hooks = hooks ?? new Dictionary<int, VersionHooks>(),
        });

    private static IReadOnlyList<VerificationFinding> Defects(VerificationReport report) => report.Findings.Where(f => f.IsDefect).ToList();

    private static IReadOnlyList<string> Messages(VerificationReport report, VerificationFindingKind kind) =>
        report.Findings.Where(f => f.IsDefect && f.Kind == kind).Select(f => f.Message).ToList();
}
