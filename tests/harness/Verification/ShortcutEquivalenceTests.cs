using Tcdb.Harness.Tests.Schema;
using Tcdb.Schema;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// The shortcuts verification takes (snapshot reuse, calls reused by footprint) lose no finding: on every
/// directory of the test data and on db/, the run with them and the exhaustive run find the same.
/// (The defect directories VerdictTests, VerifyEngineTests and ShapedSeedTests build are compared the same
/// way, by <see cref="EngineRuns"/>, in every one of their tests.) A deliberately unsound shortcut is
/// caught by the same comparison.
/// </summary>
[TestFixture]
public sealed class ShortcutEquivalenceTests
{
    /// <summary>Every directory under TestData that loads (the others are load-error fixtures), as a path relative to TestData.</summary>
    public static IEnumerable<string> TestDataDirectories() =>
        Directory.EnumerateDirectories(TestDirectories.Root, "*", SearchOption.AllDirectories)
            .Where(d => Directory.Exists(Path.Combine(d, "versions")) && Loads(d))
            .Select(d => Path.GetRelativePath(TestDirectories.Root, d).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(TestDataDirectories))]
    public async Task ShortcutsFindWhatTheExhaustiveRunFinds(string directory)
    {
        var schema = SchemaLoader.Load(Path.Combine(TestDirectories.Root, directory));
        await EngineRuns.WithAndWithoutShortcutsAsync(new VerifyOptions { Schema = schema, Jobs = 2, CheckPolicy = false });
    }

    [Test]
    public async Task ShortcutsFindWhatTheExhaustiveRunFindsOnDbDirectory()
    {
        var db = Path.Combine(RepositoryRoot(), "db");
        var releases = Path.Combine(db, "releases.txt");
        var report = await EngineRuns.WithAndWithoutShortcutsAsync(new VerifyOptions
        {
            Schema = SchemaLoader.Load(db),
            Jobs = 2,
            CheckPolicy = false,
            Releases = File.Exists(releases) ? ReleaseHistory.Load(releases) : null,
        });
        Assert.That(report.Versions, Has.Count.GreaterThan(1), "db/ was verified");
    }

    [Test]
    public async Task AnUnsoundShortcutIsCaught()
    {
        // get_thing_size runs at version 2 and breaks at version 3, whose migration drops the column it reads.
        // A footprint that ignores the catalog reuses the outcome of version 2 and loses that finding.
        using var dir = BreakingDirectory();
        var unsound = new ProbeSelection((method, _) => NameOnly(method));
        var (shortcuts, exhaustive) = await EngineRuns.BothAsync(Options(dir, unsound));
        Assert.That(exhaustive.Report.Findings.Where(f => f.Kind == VerificationFindingKind.FunctionBroken).Select(f => (f.Version, f.Object)), Is.EqualTo(new[] { ((int?)3, "function get_thing_size") }));
        var lost = EngineRuns.Differences(exhaustive.Findings, shortcuts.Findings);
        Assert.That(lost, Has.Count.EqualTo(1));
        Assert.That(lost[0], Does.StartWith("expected only: 3 Defect function-broken function get_thing_size"));
    }

    [Test]
    public async Task TheFootprintSeesTheDroppedColumn()
    {
        // The look-alike of AnUnsoundShortcutIsCaught: the real footprint on the same directory.
        using var dir = BreakingDirectory();
        var (shortcuts, exhaustive) = await EngineRuns.BothAsync(Options(dir, new ProbeSelection()));
        Assert.That(exhaustive.Report.Findings.Count(f => f.Kind == VerificationFindingKind.FunctionBroken), Is.EqualTo(1));
        Assert.That(EngineRuns.Differences(exhaustive.Findings, shortcuts.Findings), Is.Empty);
    }

    [Test]
    public async Task AnExecutedTextThatFusesANameIsCalledAgain()
    {
        // scan_sizes executes 'select ... from thi' || 'ngs': its text names things only once the pieces are
        // joined. Read as the words of its pieces, the footprint would miss the table and reuse the outcome of
        // version 2 at version 3, whose migration drops the column the text reads.
        using var dir = BreakingScanDirectory("'select things_alias.size from thi' || 'ngs as things_alias'");
        var (shortcuts, exhaustive) = await EngineRuns.BothAsync(Options(dir, new ProbeSelection()));
        Assert.That(exhaustive.Report.Findings.Where(f => f.Kind == VerificationFindingKind.FunctionBroken).Select(f => (f.Version, f.Object)), Is.EqualTo(new[] { ((int?)3, "function scan_sizes") }));
        Assert.That(EngineRuns.Differences(exhaustive.Findings, shortcuts.Findings), Is.Empty);
    }

    [Test]
    public async Task AnExecutedTextOfLiteralsAndTheProbesArgumentsReachesWhatItNames()
    {
        // The look-alike: the text is built from whole literals and the condition the probe passes, so its
        // footprint is what the literals name (the table things), and the dropped column is seen.
        using var dir = BreakingScanDirectory("'select things.size from things'");
        var (shortcuts, exhaustive) = await EngineRuns.BothAsync(Options(dir, new ProbeSelection()));
        Assert.That(exhaustive.Report.Findings.Where(f => f.Kind == VerificationFindingKind.FunctionBroken).Select(f => (f.Version, f.Object)), Is.EqualTo(new[] { ((int?)3, "function scan_sizes") }));
        Assert.That(EngineRuns.Differences(exhaustive.Findings, shortcuts.Findings), Is.Empty);
    }

    [TestCase(
        "create index things_size_idx on things (size);",
        "drop index things_size_idx;\n  truncate things;",
        DbDirectoryBuilder.BaseTables,
        true,
        TestName = "{m}(a downgrade that loses the rows)")]
    [TestCase(
        "alter table things add column token uuid not null default gen_random_uuid();",
        "alter table things drop column token;",
        DbDirectoryBuilder.BaseTables + "\n  token: uuid not null",
        false,
        TestName = "{m}(an upgrade that generates values)")]
    public async Task AVersionWhoseRowsDoNotComeBackRunsAgainWithACopyAtNMinus1(string migration, string downgrade, string tables, bool lost)
    {
        // With shortcuts no version copies its database at N-1 before the upgrade. Rows at N that do not come
        // back need that copy to tell values the upgrade generates from values the downgrade lost: version 2 is
        // checked again, from the upward pass's state at 1, with the copy. Version 3's rows come back: one run.
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, $"begin\n  {migration}\nend", $"begin\n  {downgrade}\nend")
            .ScriptVersion(3, "begin\n  create index things_name_idx2 on things (name);\nend", "begin\n  drop index things_name_idx2;\nend")
            .Tables(tables);
        var progress = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var options = new VerifyOptions { Schema = SchemaLoader.Load(dir.Path), Jobs = 1, CheckPolicy = false, Progress = progress.Enqueue };
        var report = await EngineRuns.WithAndWithoutShortcutsAsync(options);

        Assert.That(progress.Where(line => line.Contains("did not come back: checked again", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "v0002 rows at 2 did not come back: checked again from the upward pass's state at 1, with a copy of it",
        }), "only the run with shortcuts, only version 2");
        var v2 = report.Findings.Where(f => f.Version == 2 && f.IsDefect).Select(f => (f.Kind, f.Object));
        Assert.That(v2, lost ? Is.EqualTo(new[] { (VerificationFindingKind.DataChanged, "table public.things") }) : Is.Empty);
        Assert.That(
            report.Versions.Single(v => v.Version == 2).Notes.Any(n => n.StartsWith("values generated by the upgrade (not compared): public.things token", StringComparison.Ordinal)),
            Is.EqualTo(!lost),
            "the note comes from the check that had the copy");
        Assert.That(report.Versions.Select(v => v.Version), Is.EqualTo(new[] { 1, 2, 3 }), "one result per version");
        Assert.That(report.Versions.Single(v => v.Version == 3).HasDefects, Is.False);
    }

    private static VerifyOptions Options(DbDirectoryBuilder dir, ProbeSelection probes) =>
        new() { Schema = SchemaLoader.Load(dir.Path), Jobs = 1, CheckPolicy = false, ProbeSelection = probes };

    /// <summary>Version 2 adds get_thing_size (reads things.size); version 3 drops the column and restores it on the way down.</summary>
    private static DbDirectoryBuilder BreakingDirectory() => new DbDirectoryBuilder()
        .Version(2, """
            version: 2
            description: the size of a thing
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
        .ScriptVersion(3, "begin\n  alter table things drop column size;\nend", "begin\n  alter table things add column size integer not null default 0;\nend")
        .Tables("things:\n  id: integer not null\n  name: text not null");

    /// <summary>Version 2 adds scan_sizes, which executes <paramref name="select"/> with an optional condition; version 3 drops things.size.</summary>
    private static DbDirectoryBuilder BreakingScanDirectory(string select) => new DbDirectoryBuilder()
        .Version(2, $$"""
            version: 2
            description: scan the sizes
            methods:
              scan_sizes:
                description: the sizes of the things that meet a condition
                mode: read
                serviceName: svc
                args: condition_in text
                returns: table (size integer)
                body: |-
                  declare
                    sql text := {{select}};
                  begin
                    if condition_in is not null then
                      sql := sql || ' where (' || condition_in || ')';
                    end if;
                    return query execute sql;
                  end
            """)
        .ScriptVersion(3, "begin\n  alter table things drop column size;\nend", "begin\n  alter table things add column size integer not null default 0;\nend")
        .Tables("things:\n  id: integer not null\n  name: text not null");

    private static UInt128 NameOnly(Tcdb.Schema.EffectiveMethod method) =>
        BitConverter.ToUInt128(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(method.Name)).AsSpan(0, 16));

    private static bool Loads(string directory)
    {
        try
        {
            SchemaLoader.Load(directory);
            return true;
        }
        catch (SchemaLoadException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Taskcluster.DbTests.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Taskcluster.DbTests.sln) is not above " + TestContext.CurrentContext.TestDirectory);
    }
}
