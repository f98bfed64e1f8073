namespace Tcdb.Migration;

/// <summary>Whether online work belongs to an upgrade (the online migration) or a downgrade (the online downgrade).</summary>
public enum OnlineDirection
{
    Upgrade,
    Downgrade,
}

/// <summary>Where an online step is when <see cref="OnlineMigrationHooks.BeforeBatch"/> is called.</summary>
/// <param name="Version">The version whose online migration or downgrade runs.</param>
/// <param name="Direction">Migration or downgrade.</param>
/// <param name="Pass">0-based: how many times the completion function said "not yet" before this pass.</param>
/// <param name="RowsInPass">Rows the batches of this pass have done so far.</param>
public readonly record struct OnlineBatch(int Version, OnlineDirection Direction, int Pass, long RowsInPass);

/// <summary>What the online driver does after <see cref="OnlineMigrationHooks.BeforeBatch"/>.</summary>
public enum OnlineBatchDecision
{
    /// <summary>Run the batch.</summary>
    Continue,

    /// <summary>
    /// Stop before the batch: the upgrade or downgrade returns at once, its result's <c>InterruptedBefore</c>
    /// set to this batch; the database is at a whole version with the online functions in place, so a later
    /// run resumes the step.
    /// </summary>
    Interrupt,
}

/// <summary>Hooks of the online batch driver, for tests and measurements; null in production.</summary>
public sealed record OnlineMigrationHooks
{
    /// <summary>Awaited before every batch (outside the batch's transaction); its answer says whether the batch runs.</summary>
    public Func<OnlineBatch, ValueTask<OnlineBatchDecision>>? BeforeBatch { get; init; }

    /// <summary>Overrides the batch size the driver computed.</summary>
    public Func<int, int>? BatchSize { get; init; }
}
