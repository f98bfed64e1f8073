using Tcdb.Schema;

namespace Tcdb.Verification;

/// <summary>One call of a stored function with generated arguments: at which version, after which step, and whether it could run.</summary>
public sealed record ProbeObservation(string Method, int AtVersion, string When, string? Error)
{
    public bool Broken => Error is not null;
}

/// <summary>
/// Turns every function call of a verification into one finding per fact: a function that cannot run is
/// reported once, at the first version where it fails, with the version where it runs again (if it does),
/// however many later upgrades and downgrades saw the same. How bad it is follows Taskcluster's promise:
/// a function that is not deprecated must always run (defect). A deprecated one must keep running within
/// its compatibility window (see <see cref="ReleaseHistory"/>): failing inside it is a defect, after it a
/// note. Without a releases file the window is unknown: failing at the very version that deprecates or
/// re-implements it is a defect (the author promised it keeps working past that migration), later a warning.
/// </summary>
internal sealed class FunctionVerdicts(DbSchema schema, ReleaseHistory? releases)
{
    private readonly Dictionary<string, MethodTimeline> timelines = MethodTimeline.Build(schema);

    public IReadOnlyList<VerificationFinding> Judge(IEnumerable<ProbeObservation> observations)
    {
        var findings = new List<VerificationFinding>();
        foreach (var method in observations.GroupBy(o => o.Method, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // One outcome per version: broken if any call at that version failed.
            var byVersion = method.GroupBy(o => o.AtVersion).OrderBy(g => g.Key)
                .Select(g => (Version: g.Key, Failure: g.FirstOrDefault(o => o.Broken))).ToList();
            for (var i = 0; i < byVersion.Count; i++)
            {
                if (byVersion[i].Failure is null)
                {
                    continue;
                }

                var start = i;
                while (i + 1 < byVersion.Count && byVersion[i + 1].Failure is not null)
                {
                    i++;
                }

                int? runsAgainAt = i + 1 < byVersion.Count ? byVersion[i + 1].Version : null;
                findings.Add(Judge(method.Key, byVersion.Skip(start).Take(i - start + 1).Select(v => v.Failure!).ToList(), runsAgainAt));
            }
        }

        return findings;
    }

    private VerificationFinding Judge(string name, IReadOnlyList<ProbeObservation> failures, int? runsAgainAt)
    {
        var timeline = timelines[name];
        var first = failures[0];
        var again = runsAgainAt is { } v ? $"; it runs again at version {v}" : string.Empty;
        string Failing(ProbeObservation o) => $"cannot run at version {o.AtVersion} ({o.When}): {o.Error}{again}";

        // The worst version of the run decides; versions are in ascending order.
        foreach (var failure in failures)
        {
            if (!timeline.DeprecatedAt(failure.AtVersion, out _))
            {
                return Finding(FindingSeverity.Defect, failure, $"function {name} {Failing(failure)}");
            }
        }

        timeline.DeprecatedAt(first.AtVersion, out var since);
        if (releases is not null)
        {
            var (release, dbVersion) = releases.GuaranteeFor(since);
            var guarantee = dbVersion is { } end ? $"guaranteed until {release} = db version {end}" : $"guaranteed until {release}, not released yet";
            var inside = failures.FirstOrDefault(f => dbVersion is null || f.AtVersion < dbVersion);
            return inside is not null
                ? Finding(FindingSeverity.Defect, inside, $"deprecated function {name} (deprecated in version {since}, {guarantee}) {Failing(inside)}")
                : Finding(FindingSeverity.Info, first, $"deprecated function {name} (deprecated in version {since}, {guarantee}) stops working after its window: {Failing(first)}");
        }

        var own = failures.FirstOrDefault(f => timeline.HasEntryAt(f.AtVersion));
        return own is not null
            ? Finding(FindingSeverity.Defect, own, $"deprecated function {name} {Failing(own)}, the version that {(timeline.DefinesAt(own.AtVersion) ? "re-implements" : "deprecates")} it, so it does not keep working after that migration")
            : Finding(FindingSeverity.Warning, first, $"deprecated function {name} (deprecated in version {since}) {Failing(first)}; without a releases file its compatibility window is unknown");
    }

    private static VerificationFinding Finding(FindingSeverity severity, ProbeObservation at, string message) =>
        new(severity, VerificationFindingKind.FunctionBroken, at.AtVersion, $"function {at.Method}", message);

    /// <summary>Per version, whether a method is deprecated there (and since when), and which versions have an entry for it.</summary>
    private sealed class MethodTimeline
    {
        private readonly SortedDictionary<int, (bool Deprecated, int Since)> states = [];
        private readonly Dictionary<int, bool> entries = [];

        public static Dictionary<string, MethodTimeline> Build(DbSchema schema)
        {
            var timelines = new Dictionary<string, MethodTimeline>(StringComparer.Ordinal);
            foreach (var version in schema.Versions)
            {
                foreach (var entry in version.Methods)
                {
                    var timeline = timelines.TryGetValue(entry.Name, out var existing) ? existing : timelines[entry.Name] = new MethodTimeline();
                    var wasDeprecated = timeline.DeprecatedAt(version.Number - 1, out var since);
                    // A stub keeps the previous body and marks it deprecated; any entry decides the flag anew.
                    timeline.states[version.Number] = (entry.Deprecated, entry.Deprecated ? (wasDeprecated ? since : version.Number) : 0);
                    timeline.entries[version.Number] = entry.IsDefinition;
                }
            }

            return timelines;
        }

        public bool DeprecatedAt(int version, out int since)
        {
            since = 0;
            var state = states.LastOrDefault(s => s.Key <= version);
            if (state.Key == 0 || !state.Value.Deprecated)
            {
                return false;
            }

            since = state.Value.Since;
            return true;
        }

        public bool HasEntryAt(int version) => entries.ContainsKey(version);

        public bool DefinesAt(int version) => entries.GetValueOrDefault(version);
    }
}
