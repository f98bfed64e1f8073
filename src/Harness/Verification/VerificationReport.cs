namespace Tcdb.Verification;

/// <summary>The result of verifying a db directory: every finding, per-version results and timings.</summary>
public sealed record VerificationReport(
    string DbDirectory,
    string Server,
    int FromVersion,
    int ToVersion,
    IReadOnlyList<VerificationFinding> Findings,
    IReadOnlyList<VersionResult> Versions,
    TimeSpan Elapsed)
{
    public bool HasDefects => Findings.Any(f => f.IsDefect);

    public int DefectCount => Findings.Count(f => f.IsDefect);

    public int WarningCount => Findings.Count(f => f.Severity == FindingSeverity.Warning && f.AcceptedReason is null);

    public int InfoCount => Findings.Count(f => f.Severity == FindingSeverity.Info && f.AcceptedReason is null);

    public int AcceptedCount => Findings.Count(f => f.AcceptedReason is not null);
}
