namespace Tcdb.Migration;

/// <summary>What a <see cref="MigrationProgress"/> event reports.</summary>
public enum MigrationStage
{
    /// <summary>A version starts being applied (upgrade) or reverted (downgrade).</summary>
    VersionStarted,

    /// <summary>A step inside a version: script, method definitions, version update.</summary>
    Step,

    /// <summary>A version was committed; <see cref="MigrationProgress.Elapsed"/> is its duration.</summary>
    VersionCompleted,

    /// <summary>An online migration or downgrade made progress; see <see cref="MigrationProgress.Online"/>.</summary>
    OnlineBatches,

    /// <summary>An online migration or downgrade is complete.</summary>
    OnlineCompleted,

    /// <summary>Anything else: service roles, checks, nothing to do.</summary>
    Info,
}

/// <summary>Counters of a running online migration or downgrade.</summary>
/// <param name="Batches">Batches run in this invocation.</param>
/// <param name="Rows">Rows the batches reported as done.</param>
/// <param name="RowsPerSecond">Recent throughput.</param>
/// <param name="BatchSize">The batch size the next batch will ask for.</param>
public sealed record OnlineProgress(long Batches, long Rows, double RowsPerSecond, int BatchSize);

/// <summary>One progress event of an upgrade or downgrade.</summary>
public sealed record MigrationProgress(MigrationStage Stage, int? Version, string Message, TimeSpan? Elapsed = null, OnlineProgress? Online = null)
{
    public override string ToString() => Elapsed is { } e && Stage == MigrationStage.VersionCompleted
        ? $"{Message} ({e.TotalMilliseconds:0} ms)"
        : Message;
}
