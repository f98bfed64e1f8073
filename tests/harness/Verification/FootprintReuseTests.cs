using Tcdb.Schema;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// What a call reaches is kept from one catalog to the next unless the change could alter it: a reached
/// object is gone, or a new object answers a name the search looked up. A function whose body names a table
/// that a later version creates is called again there; an unrelated new table keeps the reach, and the run
/// with shortcuts still finds what the exhaustive run finds.
/// </summary>
[TestFixture]
public sealed class FootprintReuseTests
{
    [Test]
    public async Task ATableCreatedUnderANameTheBodyUsesIsSeen()
    {
        // count_widgets reads widgets, which version 3 creates (and its downgrade drops): the call breaks at
        // 2, works at 3 and breaks again after the downgrade to 2. Reusing version 2's reach at 3 would reuse
        // its failure there.
        using var dir = Directory("widgets");
        var probes = new ProbeSelection();
        var (shortcuts, exhaustive) = await EngineRuns.BothAsync(Options(dir, probes));
        var broken = exhaustive.Report.Findings.Single(f => f.IsDefect);
        Assert.That((broken.Kind, broken.Version, broken.Object), Is.EqualTo((VerificationFindingKind.FunctionBroken, (int?)2, "function count_widgets")));
        Assert.That(broken.Message, Does.EndWith("it runs again at version 3"));
        Assert.That(EngineRuns.Differences(exhaustive.Findings, shortcuts.Findings), Is.Empty);
        Assert.That(probes.SearchesOf("count_widgets"), Is.GreaterThan(1), "searched again once widgets exists");
    }

    [Test]
    public async Task AnUnrelatedNewTableKeepsTheReach()
    {
        // The look-alike: version 3 creates gadgets, which nothing count_widgets reaches names, so the reach
        // of version 2 holds at every later point and is never worked out again.
        using var dir = Directory("gadgets");
        var probes = new ProbeSelection();
        var (shortcuts, exhaustive) = await EngineRuns.BothAsync(Options(dir, probes));
        var broken = exhaustive.Report.Findings.Single(f => f.IsDefect);
        Assert.That((broken.Kind, broken.Version, broken.Object), Is.EqualTo((VerificationFindingKind.FunctionBroken, (int?)2, "function count_widgets")));
        Assert.That(broken.Message, Does.Not.Contain("runs again"));
        Assert.That(EngineRuns.Differences(exhaustive.Findings, shortcuts.Findings), Is.Empty);
        Assert.That(probes.SearchesOf("count_widgets"), Is.EqualTo(1));
    }

    private static VerifyOptions Options(DbDirectoryBuilder dir, ProbeSelection probes) =>
        new() { Schema = SchemaLoader.Load(dir.Path), Jobs = 1, CheckPolicy = false, ProbeSelection = probes };

    /// <summary>Version 2 adds count_widgets (reads the table widgets, which does not exist there); version 3 creates <paramref name="table"/>, read by service svc.</summary>
    private static DbDirectoryBuilder Directory(string table) => new DbDirectoryBuilder()
        .Version(2, """
            version: 2
            description: count the widgets
            methods:
              count_widgets:
                description: how many widgets there are
                mode: read
                serviceName: svc
                args: ''
                returns: integer
                body: |-
                  begin
                    return (select count(*)::integer from widgets);
                  end
            """)
        .ScriptVersion(
            3,
            $"begin\n  create table {table} (id integer primary key);\n  grant select on {table} to $db_user_prefix$_svc;\nend",
            $"begin\n  revoke select on {table} from $db_user_prefix$_svc;\n  drop table {table};\nend")
        .Tables(DbDirectoryBuilder.BaseTables + "\n" + table + ":\n  id: integer not null")
        .Access(DbDirectoryBuilder.BaseAccess + "\n    " + table + ": read");
}
