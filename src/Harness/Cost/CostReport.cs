namespace Tcdb.Cost;

/// <summary>A version's verdict.</summary>
public enum CostStatus
{
    /// <summary>Within budget (or no budget), and its online work keeps a flat cost per batch.</summary>
    Ok,

    /// <summary>A lock that blocks reads or writes of an existing table is held longer than the budget at the target size.</summary>
    OverBudget,

    /// <summary>The version can never be applied, or its online batches get dearer with progress.</summary>
    Defect,

    /// <summary>The version could not be measured (see its problem); not a finding.</summary>
    Unmeasured,
}

/// <summary>The identifiers of <see cref="CostStatus"/> in reports: <c>ok</c>, <c>over-budget</c>, <c>defect</c>, <c>unmeasured</c>.</summary>
public static class CostStatusText
{
    public static string Id(this CostStatus status) => status switch
    {
        CostStatus.OverBudget => "over-budget",
        CostStatus.Defect => "defect",
        CostStatus.Unmeasured => "unmeasured",
        _ => "ok",
    };
}

/// <summary>How long one blocking lock would be held at the target size.</summary>
/// <param name="Direction">Upgrade or downgrade.</param>
/// <param name="Table">The table.</param>
/// <param name="Mode">The lock mode.</param>
/// <param name="Estimated">Hold time at the target size (the largest scale's measurement without a target).</param>
/// <param name="Cause">What holds it: <c>`alter column type` rewrites `tasks`</c>, <c>a full scan of `tasks`</c>, ...</param>
public sealed record LockEstimate(CostDirection Direction, string Table, string Mode, TimeSpan Estimated, string Cause);

/// <summary>How long an online migration or downgrade would run at the target size.</summary>
/// <param name="Direction">Upgrade (online migration) or downgrade.</param>
/// <param name="Estimated">Total duration; for batches whose cost grows, extrapolated quadratically.</param>
/// <param name="RowsPerSecond">The rate measured at the largest scale.</param>
public sealed record OnlineEstimate(CostDirection Direction, TimeSpan Estimated, double RowsPerSecond);

/// <summary>One version's measurements with its estimates and verdict.</summary>
/// <param name="Measurement">What was measured.</param>
/// <param name="TargetRows">Rows of the touched tables at the target size (null without a target).</param>
/// <param name="Locks">Blocking locks on existing tables, longest first.</param>
/// <param name="UpgradeTime">The upgrade transaction's duration at the target size.</param>
/// <param name="DowngradeTime">The downgrade transaction's duration at the target size.</param>
/// <param name="FitError">The upgrade time fit's relative error predicting the largest scale from the smaller ones (three scales or more).</param>
/// <param name="Online">Online work durations at the target size.</param>
/// <param name="Status">The verdict.</param>
/// <param name="Reasons">Why the verdict is not ok, one line each.</param>
/// <param name="Notes">Other things worth knowing (tables missing from the stats, scales that failed).</param>
public sealed record VersionCost(
    VersionMeasurement Measurement,
    long? TargetRows,
    IReadOnlyList<LockEstimate> Locks,
    TimeSpan? UpgradeTime,
    TimeSpan? DowngradeTime,
    double? FitError,
    IReadOnlyList<OnlineEstimate> Online,
    CostStatus Status,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Notes)
{
    public int Version => Measurement.Version;

    /// <summary>The longest estimated hold of a blocking lock (zero when none).</summary>
    public TimeSpan HeaviestLock => Locks.Count == 0 ? TimeSpan.Zero : Locks.Max(l => l.Estimated);
}

/// <summary>What <c>tcdb cost</c> found for a range of versions.</summary>
public sealed record CostReport(string Server, int FromVersion, int ToVersion, IReadOnlyList<VersionCost> Versions, CostOptions Options, TimeSpan Elapsed)
{
    /// <summary>Some version is over budget or has a defect: <c>tcdb cost</c> exits 1.</summary>
    public bool HasFindings => Versions.Any(v => v.Status is CostStatus.OverBudget or CostStatus.Defect);
}
