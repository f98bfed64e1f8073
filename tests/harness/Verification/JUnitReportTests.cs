using System.Xml.Linq;
using Tcdb.Verification;
using Tcdb.Verification.Reports;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>The JUnit report has the same test cases on every run of a range, one failure per defect.</summary>
[TestFixture]
public sealed class JUnitReportTests
{
    [Test]
    public void EveryVersionAndTheChainAreTestCasesWithOneFailurePerDefect()
    {
        var twoDefects = new[]
        {
            Finding(FindingSeverity.Defect, VerificationFindingKind.StrayObject, 2, "+ index public.a_idx (after downgrade to 1)"),
            Finding(FindingSeverity.Defect, VerificationFindingKind.DataChanged, 2, "table things lost 3 rows"),
            Finding(FindingSeverity.Warning, VerificationFindingKind.NeedsVersionSeed, 2, "fails on generic rows"),
        };
        var chain = Finding(FindingSeverity.Defect, VerificationFindingKind.GrantDrift, 3, "missing grant: svc: SELECT on things");
        var notVerified = Finding(FindingSeverity.Defect, VerificationFindingKind.NotVerified, 3, "version 3 was not verified: version 2 cannot be applied");
        var policy = Finding(FindingSeverity.Warning, VerificationFindingKind.Policy, null, "tables.yml:3: json-not-jsonb: warning: prefer jsonb");
        var report = Report(
            [policy, chain, notVerified, .. twoDefects],
            [Result(1, []), Result(2, twoDefects)],
            toVersion: 3);

        var cases = Cases(report);

        Assert.That(cases.Select(c => c.Attribute("name")!.Value), Is.EqualTo(new[] { "policy", "v0001", "v0002", "v0003", "chain" }));
        Assert.That(cases[1].Elements("failure"), Is.Empty);
        Assert.That(cases[2].Elements("failure").Select(f => f.Attribute("type")!.Value), Is.EqualTo(new[] { "stray-object", "data-changed" }));
        Assert.That(cases[2].Element("system-out")!.Value, Does.Contain("fails on generic rows"));
        Assert.That(cases[3].Elements("failure").Single().Attribute("message")!.Value, Does.Contain("was not verified"));
        Assert.That(cases[4].Elements("failure").Single().Value, Does.Contain("missing grant: svc: SELECT on things"));
        Assert.That(cases[0].Elements("failure"), Is.Empty, "a policy warning is no failure");
        Assert.That(cases[0].Element("system-out")!.Value, Does.Contain("prefer jsonb"));
        var suite = XDocument.Parse(ReportWriter.JUnit(report)).Root!.Element("testsuite")!;
        Assert.That((suite.Attribute("tests")!.Value, suite.Attribute("failures")!.Value), Is.EqualTo(("5", "3")));
    }

    [Test]
    public void ACleanRunHasTheSameTestCasesWithoutFailures()
    {
        var report = Report([], [Result(1, []), Result(2, []), Result(3, [])], toVersion: 3);

        var cases = Cases(report);

        Assert.That(cases.Select(c => c.Attribute("name")!.Value), Is.EqualTo(new[] { "policy", "v0001", "v0002", "v0003", "chain" }));
        Assert.That(cases.SelectMany(c => c.Elements("failure")), Is.Empty);
    }

    private static List<XElement> Cases(VerificationReport report) =>
        XDocument.Parse(ReportWriter.JUnit(report)).Descendants("testcase").ToList();

    private static VerificationFinding Finding(FindingSeverity severity, VerificationFindingKind kind, int? version, string message) =>
        new(severity, kind, version, "object", message);

    private static VersionResult Result(int version, IReadOnlyList<VerificationFinding> findings) =>
        new(version, findings, [], new Dictionary<string, double> { ["upgrade"] = 10 }, 60, ChainIntact: true);

    private static VerificationReport Report(IReadOnlyList<VerificationFinding> findings, IReadOnlyList<VersionResult> versions, int toVersion) =>
        new("db", "server", 1, toVersion, findings, versions, TimeSpan.FromSeconds(1));
}
