namespace Tcdb.Verification;

/// <summary>What verifying one version found, how long each phase took, and where its database ended.</summary>
public sealed record VersionResult(
    int Version,
    IReadOnlyList<VerificationFinding> Findings,
    IReadOnlyList<string> Notes,
    IReadOnlyDictionary<string, double> PhaseMilliseconds,
    int SeededRows,
    bool ChainIntact)
{
    /// <summary>Every function call the check made, for <see cref="FunctionVerdicts"/>.</summary>
    public IReadOnlyList<ProbeObservation> Probes { get; init; } = [];

    /// <summary>Rows in the database before the upgrade, after it, and after the downgrade: which data migrations ran on data.</summary>
    public (long BeforeUpgrade, long AtN, long AfterDowngrade)? Rows { get; init; }

    public bool HasDefects => Findings.Any(f => f.IsDefect);

    public double TotalMilliseconds => PhaseMilliseconds.Values.Sum();
}
