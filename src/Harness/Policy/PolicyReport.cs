namespace Tcdb.Policy;

/// <summary>The outcome of a policy run: what remains to fix or waive, and what waivers accepted.</summary>
public sealed record PolicyReport(IReadOnlyList<PolicyFinding> Findings, IReadOnlyList<PolicyFinding> Waived)
{
    public int ErrorCount => Findings.Count(f => f.Severity == PolicySeverity.Error);

    public int WarningCount => Findings.Count(f => f.Severity == PolicySeverity.Warning);
}
