namespace Tcdb.Verification;

/// <summary>
/// Collects the findings of one version, one per fact: a finding of the same kind about the same object
/// (the same table losing rows after each interruption scenario, the same stray index seen twice) is
/// counted on the first one instead of being listed again.
/// </summary>
internal sealed class FindingSink(int? version)
{
    private readonly List<VerificationFinding> findings = [];
    private readonly Dictionary<(VerificationFindingKind, string), int> index = [];

    public void Add(VerificationFinding finding)
    {
        if (finding.Version != version)
        {
            throw new ArgumentException($"a finding of version {finding.Version} in the findings of version {version}", nameof(finding));
        }

        if (index.TryGetValue((finding.Kind, finding.Object), out var at))
        {
            var first = findings[at];
            findings[at] = first with { Occurrences = first.Occurrences + 1, Severity = Worse(first.Severity, finding.Severity) };
            return;
        }

        index[(finding.Kind, finding.Object)] = findings.Count;
        findings.Add(finding);
    }

    public bool Any(Func<VerificationFinding, bool> predicate) => findings.Any(predicate);

    public IReadOnlyList<VerificationFinding> ToList() => findings.ToList();

    private static FindingSeverity Worse(FindingSeverity a, FindingSeverity b) => (FindingSeverity)Math.Min((int)a, (int)b);
}
