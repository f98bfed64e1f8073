using Tcdb.Schema;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// What counts as a defect: each test builds a small directory whose version 2 (or later) does one thing a
/// real migration does, and checks the verdict — a defect for what loses data or breaks a promise, a
/// warning for what the upgrade discards by design, nothing for values the upgrade generates.
/// </summary>
[TestFixture]
public sealed class VerdictTests
{
    private const string Empty = "begin\nend";

    [Test]
    public async Task AColumnTheUpgradeDropsIsDiscardedNotLost()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  alter table things drop column size;\nend", "begin\n  alter table things add column size integer not null default 0;\nend")
            .Tables("things:\n  id: integer not null\n  name: text not null");
        var report = await VerifyAsync(dir);
        Assert.That(Defects(report), Is.Empty);
        var warning = report.Findings.Single(f => f.Kind == VerificationFindingKind.DataDiscarded);
        Assert.That(warning.Version, Is.EqualTo(2));
        Assert.That(warning.Object, Is.EqualTo("table public.things"));
        Assert.That(warning.Message, Does.Match(@"^the upgrade to 2 discards data that no downgrade can bring back: \d+ row\(s\) differ because column size is gone at N; e\.g\. ~ row public\.things"));
    }

    [Test]
    public async Task RowsTheUpgradeDeletesAreDiscardedNotLost()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  delete from things where things.id % 3 = 0;\nend", Empty);
        var report = await VerifyAsync(dir);
        Assert.That(Defects(report), Is.Empty);
        var warning = report.Findings.Single(f => f.Kind == VerificationFindingKind.DataDiscarded);
        Assert.That(warning.Message, Does.Contain("row(s) differ because the upgrade deletes rows"));
    }

    [Test]
    public async Task ADowngradeThatTruncatesATableKeptAtNIsADefect()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  create index things_size_idx on things (size);\nend", "begin\n  drop index things_size_idx;\n  truncate things;\nend");
        var report = await VerifyAsync(dir);
        var defect = Defects(report).Single(f => f.Kind == VerificationFindingKind.DataChanged);
        Assert.That(defect.Object, Is.EqualTo("table public.things"));
        Assert.That(defect.Message, Does.StartWith($"rows held at version 2 did not survive the downgrade to 1 and the re-upgrade: {SeededThings(report)} row(s) lost"));
    }

    [Test]
    public async Task ADowngradeThatRebuildsADroppedTableLosingAColumnIsADefect()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(
                2,
                """
                begin
                  create table items (item_id integer primary key, title text not null, weight integer not null);
                  insert into items (item_id, title, weight) select things.id, things.name, things.size from things;
                  drop table things;
                  grant select, insert, update, delete on items to $db_user_prefix$_svc;
                end
                """,
                """
                begin
                  create table things (id integer primary key, name text not null, size integer not null default 0);
                  create index things_name_idx on things (name);
                  grant select, insert, update, delete on things to $db_user_prefix$_svc;
                  insert into things (id, name) select items.item_id, items.title from items;
                  revoke select, insert, update, delete on items from $db_user_prefix$_svc;
                  drop table items;
                end
                """)
            .Tables("items:\n  item_id: integer not null\n  title: text not null\n  weight: integer not null")
            .Access("svc:\n  tables:\n    items: write");
        var report = await VerifyAsync(dir);
        var defect = Defects(report).Single(f => f.Kind == VerificationFindingKind.DataChanged);
        Assert.That(defect.Object, Is.EqualTo("table public.items"), "the loss shows where the data lives at N");
        Assert.That(defect.Message, Does.Match(@"^rows held at version 2 did not survive the downgrade to 1 and the re-upgrade: \d+ row\(s\) changed \(weight in \d+\)"));
    }

    [TestCase("alter table things add column token uuid not null default gen_random_uuid();", "alter table things drop column token;", true, "token: uuid not null")]
    [TestCase("alter table things add column touched timestamptz;\n  update things set touched = clock_timestamp();", "alter table things drop column touched;", true, "touched: timestamp with time zone")]
    [TestCase("alter table things add column token text;\n  update things set token = md5(random()::text) where things.id % 2 = 0;", "alter table things drop column token;", true, "token: text")]
    [TestCase("create sequence thing_numbers;\n  alter table things add column number bigint not null default nextval('thing_numbers');", "alter table things drop column number;\n  drop sequence thing_numbers;", false, "number: bigint not null")]
    public async Task ValuesTheUpgradeGeneratesAreNotADefect(string migration, string downgrade, bool differBetweenUpgrades, string column)
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, $"begin\n  {migration}\nend", $"begin\n  {downgrade}\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  " + column);
        var report = await VerifyAsync(dir);
        Assert.That(Defects(report), Is.Empty);
        // A sequence recreated by the re-upgrade hands out the same numbers: nothing to tell apart then.
        Assert.That(
            report.Versions[1].Notes.Any(n => n.StartsWith("values generated by the upgrade (not compared): public.things", StringComparison.Ordinal)),
            Is.EqualTo(differBetweenUpgrades));
    }

    [TestCase("perform 1 from things where things.weight is null limit 1;\n    return not found;", false)]
    [TestCase("return false;", true)]
    public async Task AnOnlineDowngradeThatNeverCompletesEndsTheVersionNotTheRun(string completionCheck, bool evenWithoutRows)
    {
        // Version 3 drops a column; its online downgrade refills it from another column, which some rows
        // do not have: those can never be completed. The walk over every row reports progress each pass.
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  alter table things add column note text, add column weight integer;\nend", "begin\n  alter table things drop column note, drop column weight;\nend")
            .ScriptVersion(
                3,
                "begin\n  alter table things drop column weight;\nend",
                $"""
                begin
                  alter table things add column weight integer;
                  {Migration.TestSchemas.OnlineKeyWalk("downgrade", 3, "things", "update things set weight = length(things.note) where things.id = item.id and things.weight is null", completionCheck)}
                end
                """)
            .ScriptVersion(4, "begin\n  create index things_size_idx on things (size);\nend", "begin\n  drop index things_size_idx;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  note: text");
        var report = await VerifyAsync(dir);
        var v3 = report.Findings.Where(f => f.Version == 3).ToList();
        if (evenWithoutRows)
        {
            var defect = v3.Single(f => f.Kind == VerificationFindingKind.OnlineNeverCompletes);
            Assert.That(defect.Message, Does.StartWith("downgrade to 2 failed (also without seed rows): version 3: online downgrade for db version 3 never completes"));
            Assert.That(v3.Single(f => f.Kind == VerificationFindingKind.ChainDowngradeFailed).Message, Does.Contain("never completes"), "the chain's downgrade stops too");
        }
        else
        {
            Assert.That(v3.Where(f => f.IsDefect), Is.Empty, "generic rows never make a downgrade defect of their own");
            var warning = v3.Single(f => f.Kind == VerificationFindingKind.NeedsVersionSeed);
            Assert.That(warning.Message, Does.StartWith("downgrade to 2 fails on generic seed rows but succeeds without them: version 3: online downgrade for db version 3 never completes"));
        }

        Assert.That(report.Versions.Single(v => v.Version == 4).HasDefects, Is.False, "the run goes on");
    }

    [Test]
    public async Task ABrokenFunctionIsOneFindingAcrossLaterVersions()
    {
        var dir = new DbDirectoryBuilder().Version(2, """
            version: 2
            description: a method reading a table that does not exist
            methods:
              get_ghosts:
                description: ghosts
                mode: read
                serviceName: svc
                args: ''
                returns: table (id integer)
                body: |-
                  begin
                    return query select ghosts.id from ghosts;
                  end
            """);
        for (var v = 3; v <= 12; v++)
        {
            dir.ScriptVersion(v, $"begin\n  create index things_v{v}_idx on things (size);\nend", $"begin\n  drop index things_v{v}_idx;\nend");
        }

        using (dir)
        {
            var report = await VerifyAsync(dir);
            var broken = report.Findings.Where(f => f.Kind == VerificationFindingKind.FunctionBroken).ToList();
            Assert.That(broken, Has.Count.EqualTo(1), string.Join("\n", broken));
            Assert.That(broken[0].Version, Is.EqualTo(2));
            Assert.That(broken[0].IsDefect, Is.True);
            Assert.That(broken[0].Message, Does.StartWith("function get_ghosts cannot run at version 2 (after the upgrade to 2): 42P01 relation \"ghosts\" does not exist"));
        }
    }

    [Test]
    public async Task ADeprecatedFunctionBrokenAtTheVersionThatDeprecatesItIsADefect()
    {
        using var dir = DeprecatingDirectory(breakAt: 2);
        var finding = (await VerifyAsync(dir)).Findings.Single(f => f.Kind == VerificationFindingKind.FunctionBroken && f.Object == "function get_thing");
        Assert.That(finding.Severity, Is.EqualTo(FindingSeverity.Defect));
        Assert.That(finding.Message, Does.StartWith("deprecated function get_thing cannot run at version 2 (after the upgrade to 2): 42703"));
        Assert.That(finding.Message, Does.Contain("the version that deprecates it, so it does not keep working after that migration"));
    }

    [Test]
    public async Task ADeprecatedFunctionBrokenLaterWithoutAReleasesFileIsAWarning()
    {
        using var dir = DeprecatingDirectory(breakAt: 4);
        var finding = (await VerifyAsync(dir)).Findings.Single(f => f.Kind == VerificationFindingKind.FunctionBroken && f.Object == "function get_thing");
        Assert.That(finding.Severity, Is.EqualTo(FindingSeverity.Warning));
        Assert.That(finding.Version, Is.EqualTo(4));
        Assert.That(finding.Message, Does.StartWith("deprecated function get_thing (deprecated in version 2) cannot run at version 4"));
    }

    // Deprecated at db version 2, first shipped in v1.1.0 (not a major): guaranteed until v3.0.0, which shipped db version 4.
    private const string Releases = "# release: db version\nv1.0.0: 1\nv1.1.0: 2\nv2.0.0: 3\nv3.0.0: 4\nv3.1.0: 5\n";

    [Test]
    public async Task ADeprecatedFunctionBrokenInsideItsReleaseWindowIsADefect()
    {
        using var dir = DeprecatingDirectory(breakAt: 3);
        var finding = (await VerifyAsync(dir, releases: Releases)).Findings.Single(f => f.Kind == VerificationFindingKind.FunctionBroken && f.Object == "function get_thing");
        Assert.That(finding.Severity, Is.EqualTo(FindingSeverity.Defect));
        Assert.That(finding.Message, Does.StartWith("deprecated function get_thing (deprecated in version 2, guaranteed until v3.0.0 = db version 4) cannot run at version 3"));
    }

    [Test]
    public async Task ADeprecatedFunctionBrokenAfterItsReleaseWindowIsInfo()
    {
        using var dir = DeprecatingDirectory(breakAt: 5);
        var report = await VerifyAsync(dir, releases: Releases);
        var finding = report.Findings.Single(f => f.Kind == VerificationFindingKind.FunctionBroken && f.Object == "function get_thing");
        Assert.That(finding.Severity, Is.EqualTo(FindingSeverity.Info));
        Assert.That(finding.Message, Does.Contain("stops working after its window"));
        Assert.That(report.HasDefects, Is.False, string.Join("\n", Defects(report)));
        Assert.That(report.Findings.Where(f => f.Kind == VerificationFindingKind.FunctionBroken).Select(f => f.Severity), Is.All.EqualTo(FindingSeverity.Info), "add_thing breaks the same way");
    }

    [Test]
    public void AWindowThatHasNotEndedCoversEveryLaterVersion()
    {
        using var dir = new DbDirectoryBuilder();
        var path = Path.Combine(dir.Path, "releases.txt");
        File.WriteAllText(path, "v1.0.0: 1\nv1.2.0: 3\n");
        var releases = ReleaseHistory.Load(path);
        Assert.That(releases.GuaranteeFor(2), Is.EqualTo(("v3.0.0", (int?)null)), "first shipped in v1.2.0: until v3.0.0, not released");
        Assert.That(releases.GuaranteeFor(1), Is.EqualTo(("v2.0.0", (int?)null)), "first shipped in the major v1.0.0: until v2.0.0");
        Assert.That(releases.GuaranteeFor(7), Is.EqualTo(("v3.0.0", (int?)null)), "unreleased: two majors after the latest release");
    }

    [Test]
    public void AMalformedReleasesLineNamesFileAndLine()
    {
        using var dir = new DbDirectoryBuilder();
        var path = Path.Combine(dir.Path, "releases.txt");
        File.WriteAllText(path, "v1.0.0: 1\n\nv1.1: 2\n");
        var error = Assert.Throws<SchemaLoadException>(() => ReleaseHistory.Load(path));
        Assert.That(error!.Message, Does.Contain("releases.txt:3:1: expected a line like 'v44.0.0: 71' (release: db version), not 'v1.1: 2'"));
    }

    [Test]
    public async Task TheVerdictIsTheSameAtAnyNumberOfJobs()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  alter table things add column color text;\nend", "begin\n  alter table things drop column color;\nend")
            .ScriptVersion(3, "begin\n  update things set color = 'red' where things.color is null;\nend", "begin\n  update things set color = null;\nend")
            .ScriptVersion(4, "begin\n  create table notes (note_id integer primary key, body text not null);\n  grant select on notes to $db_user_prefix$_svc;\nend", "begin\n  revoke select on notes from $db_user_prefix$_svc;\n  drop table notes;\nend")
            .ScriptVersion(5, "begin\n  delete from notes where notes.note_id % 2 = 0;\n  create index notes_body_idx on notes (body);\nend", "begin\n  drop index notes_body_idx;\n  truncate notes;\nend")
            .ScriptVersion(6, "begin\n  alter table notes add column seen boolean not null default false;\nend", "begin\n  alter table notes drop column seen;\nend")
            .Access(DbDirectoryBuilder.BaseAccess + "\n    notes: read")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  color: text\nnotes:\n  note_id: integer not null\n  body: text not null\n  seen: boolean not null");
        var verdicts = new List<string>();
        foreach (var jobs in new[] { 1, 2, 8 })
        {
            var report = await VerifyAsync(dir, jobs: jobs);
            verdicts.Add(string.Join("\n", report.Findings.Select(f => $"{f.Version} {f.Severity} {VerificationFinding.KindId(f.Kind)} {f.Object}").Order(StringComparer.Ordinal)));
        }

        Assert.That(verdicts[0], Does.Contain("5 Defect data-changed table public.notes"), "the directory has a real defect");
        Assert.That(verdicts[1], Is.EqualTo(verdicts[0]), "2 jobs");
        Assert.That(verdicts[2], Is.EqualTo(verdicts[0]), "8 jobs");
    }

    [Test]
    public async Task AcceptedFindingsAreReportedButDoNotFail()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  create index things_size_idx on things (size);\nend", "begin\n  drop index things_size_idx;\n  truncate things;\nend");
        var accepted = new[]
        {
            new AcceptedFinding(2, "data-changed", "table public.things", "released in v1.2.0; version 3 restores the rows"),
            new AcceptedFinding(7, "stray-object", "index public.nothing_idx", "an old finding that is gone"),
        };
        var report = await VerifyAsync(dir, accepted: accepted);
        Assert.That(report.HasDefects, Is.False, string.Join("\n", Defects(report)));
        var finding = report.Findings.Single(f => f.Kind == VerificationFindingKind.DataChanged);
        Assert.That(finding.AcceptedReason, Is.EqualTo("released in v1.2.0; version 3 restores the rows"));
        Assert.That(finding.ToString(), Does.StartWith("v0002 accepted data-changed: "));
        var unused = report.Findings.Single(f => f.Kind == VerificationFindingKind.AcceptedUnused);
        Assert.That(unused.Severity, Is.EqualTo(FindingSeverity.Warning));
        Assert.That(unused.Message, Does.Contain("the accepted finding of version 7 stray-object index public.nothing_idx matches nothing"));
    }

    [Test]
    public void AnAcceptedFindingWithoutAReasonDoesNotLoad()
    {
        using var dir = new DbDirectoryBuilder();
        var path = Path.Combine(dir.Path, AcceptedFinding.DefaultFileName);
        File.WriteAllText(path, "- version: 2\n  kind: data-changed\n  object: table public.things\n  reason: \"\"\n");
        var error = Assert.Throws<SchemaLoadException>(() => AcceptedFinding.Load(path));
        Assert.That(error!.Message, Does.Contain("accepted-findings.yml:4:11: accepted-findings.yml: the entry for version 2, data-changed table public.things has no reason"));
    }

    [Test]
    public void WrittenAcceptedFindingsLoadOnceReasonsAreFilledIn()
    {
        using var dir = new DbDirectoryBuilder();
        var path = Path.Combine(dir.Path, AcceptedFinding.DefaultFileName);
        var finding = new VerificationFinding(FindingSeverity.Defect, VerificationFindingKind.DataChanged, 2, "table public.things", "rows \"lost\"\nsecond line");
        var text = AcceptedFinding.Render([finding]);
        File.WriteAllText(path, text);
        Assert.Throws<SchemaLoadException>(() => AcceptedFinding.Load(path), "empty reasons are refused");
        File.WriteAllText(path, text.Replace("reason: \"\"", "reason: known since v1", StringComparison.Ordinal));
        var loaded = AcceptedFinding.Load(path).Single();
        Assert.That(loaded.Matches(finding), Is.True);
    }

    /// <summary>
    /// Version 2 deprecates get_thing and add_thing (stubs); version <paramref name="breakAt"/> drops the
    /// column both use. The tests look at get_thing.
    /// </summary>
    private static DbDirectoryBuilder DeprecatingDirectory(int breakAt)
    {
        var dir = new DbDirectoryBuilder().Version(2, """
            version: 2
            description: get_thing is deprecated
            methods:
              get_thing:
                deprecated: true
              add_thing:
                deprecated: true
            """);
        for (var v = 3; v <= 6; v++)
        {
            dir.ScriptVersion(v, $"begin\n  create index things_v{v}_idx on things (size);\nend", $"begin\n  drop index things_v{v}_idx;\nend");
        }

        var drop = "begin\n  alter table things drop column name;\nend";
        var restore = "begin\n  alter table things add column name text not null default '';\n  alter table things alter column name drop default;\n  create index things_name_idx on things (name);\nend";
        if (breakAt == 2)
        {
            dir.Version(2, $$"""
                version: 2
                description: get_thing is deprecated
                migrationScript: |-
                {{Indent(drop)}}
                downgradeScript: |-
                {{Indent(restore)}}
                methods:
                  get_thing:
                    deprecated: true
                  add_thing:
                    deprecated: true
                """);
        }
        else
        {
            dir.ScriptVersion(breakAt, drop, restore);
        }

        return dir.Tables("things:\n  id: integer not null\n  size: integer not null");
    }

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(line => "  " + line));

    private static int SeededThings(VerificationReport report) => report.Versions[1].SeededRows;

    /// <summary>At one job and at several, with and without shortcuts (asserting the same findings); with <paramref name="jobs"/>, at that many only.</summary>
    private static async Task<VerificationReport> VerifyAsync(DbDirectoryBuilder dir, int? jobs = null, string? releases = null, IReadOnlyList<AcceptedFinding>? accepted = null)
    {
        ReleaseHistory? history = null;
        if (releases is not null)
        {
            var path = Path.Combine(dir.Path, "releases.txt");
            File.WriteAllText(path, releases);
            history = ReleaseHistory.Load(path);
        }

        var options = new VerifyOptions
        {
            Schema = SchemaLoader.Load(dir.Path),
            CheckPolicy = false,
            Releases = history,
            Accepted = accepted ?? [],
        };
        return jobs is { } n ? await EngineRuns.WithAndWithoutShortcutsAsync(options with { Jobs = n }) : await EngineRuns.AtOneAndSeveralJobsAsync(options);
    }

    private static IReadOnlyList<VerificationFinding> Defects(VerificationReport report) => report.Findings.Where(f => f.IsDefect).ToList();
}
