using Tcdb.Policy;
using Tcdb.Schema;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Schema;

/// <summary>The two list-of-entries files, a waiver file and an accepted-findings file, read through one reader: the same mistakes refused alike.</summary>
[TestFixture]
public sealed class EntryListTests
{
    private const string WaiverExpected = "expected a list of entries with rule, object and reason, e.g. '- rule: select-star' / '  object: get_widgets' / '  reason: ...'";
    private const string AcceptedExpected = "expected a list of entries like '- version: 12' / '  kind: data-changed' / '  object: table public.tasks' / '  reason: ...'";

    private static readonly Func<string, object> LoadWaivers = PolicyWaiver.Load;
    private static readonly Func<string, object> LoadAccepted = AcceptedFinding.Load;

    private static IEnumerable<TestCaseData> Mistakes()
    {
        yield return new TestCaseData(LoadWaivers, "rule: select-star\n", new[] { $"w.yml:1:1: w.yml: {WaiverExpected}" }).SetName("a waiver file that is no list");
        yield return new TestCaseData(LoadAccepted, "kind: data-changed\n", new[] { $"w.yml:1:1: w.yml: {AcceptedExpected}" }).SetName("an accepted-findings file that is no list");
        yield return new TestCaseData(LoadWaivers, "- select-star\n", new[] { $"w.yml:1:3: w.yml: a waiver is the string \"select-star\"; {WaiverExpected}" }).SetName("a waiver that is no mapping");
        yield return new TestCaseData(LoadAccepted, "- [1]\n", new[] { $"w.yml:1:3: w.yml: an entry is a list; {AcceptedExpected}" }).SetName("an accepted finding that is no mapping");
        yield return new TestCaseData(LoadWaivers, "- rule: select-star\n  object: f\n  reason: the function is called once a day\n  colour: red\n", new[] { "w.yml:4:3: w.yml: waiver: unknown key 'colour'; expected only rule, object and reason" }).SetName("a waiver with an unknown key");
        yield return new TestCaseData(LoadAccepted, "- kind: data-changed\n  object: table t\n  reason: released in v1\n  colour: red\n", new[] { "w.yml:4:3: w.yml: entry: unknown key 'colour'; expected only version, kind, object and reason" }).SetName("an accepted finding with an unknown key");
        yield return new TestCaseData(LoadWaivers, "- rule: select-star\n  colour: red\n", new[]
        {
            "w.yml:2:3: w.yml: waiver: unknown key 'colour'; expected only rule, object and reason",
            $"w.yml:1:3: w.yml: waiver without object; {WaiverExpected}",
            $"w.yml:1:3: w.yml: waiver without reason; {WaiverExpected}",
        }).SetName("a waiver's own errors follow the shared ones of the same entry");
    }

    [TestCaseSource(nameof(Mistakes))]
    public void EveryMistakeIsReportedWithItsLocation(Func<string, object> load, string yaml, string[] expected)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tcdb-entries-").FullName, "w.yml");
        File.WriteAllText(path, yaml);

        var error = Assert.Throws<SchemaLoadException>(() => load(path));

        Assert.That(error!.Errors.Select(e => $"{Path.GetFileName(e.Location.ToString())}: {e.Message}"), Is.EqualTo(expected));
    }

    [Test]
    public void ValidFilesLoadEveryEntryInOrder()
    {
        var directory = Directory.CreateTempSubdirectory("tcdb-entries-").FullName;
        var waivers = Path.Combine(directory, "w.yml");
        var accepted = Path.Combine(directory, "a.yml");
        File.WriteAllText(waivers, "- rule: select-star\n  object: f\n  reason: the function is called once a day\n- rule: select-star\n  object: g\n  reason: the function is called once a week\n");
        File.WriteAllText(accepted, "- version: 2\n  kind: data-changed\n  object: table t\n  reason: released in v1\n");

        Assert.That(PolicyWaiver.Load(waivers).Select(w => w.Object), Is.EqualTo(new[] { "f", "g" }));
        Assert.That(AcceptedFinding.Load(accepted).Select(a => (a.Version, a.Kind, a.Object, a.Reason)), Is.EqualTo(new[] { ((int?)2, "data-changed", "table t", "released in v1") }));
    }
}
