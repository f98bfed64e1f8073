using Tcdb.Migration;

namespace Tcdb.Verification;

/// <summary>Where a verification step stops online work, if anywhere.</summary>
internal readonly record struct OnlineInterruption(bool Midway, int? BeforeBatch)
{
    public static OnlineInterruption None => default;

    /// <summary>At the mid checkpoint, once several batches have run.</summary>
    public static OnlineInterruption AtMidway => new(true, null);

    /// <summary>Before batch <paramref name="batch"/> (1-based).</summary>
    public static OnlineInterruption AtBatch(int batch) => new(false, batch);
}

/// <summary>
/// Drives the online batches of one upgrade or downgrade through the migrator's hooks: caps the batch size
/// so that a modest seed needs several batches, awaits the version's checks at each checkpoint, and asks
/// the migrator to stop where <see cref="OnlineInterruption"/> says.
/// </summary>
internal sealed class OnlineInterrupter(OnlineDirection direction, OnlineInterruption interruption, Func<OnlineDirection, OnlineCheckpoint, Task>? check)
{
    /// <summary>Batch size cap while verifying (so a check sees several batches of about 100 rows, and interruptions land between them).</summary>
    public const int BatchCap = 10;

    /// <summary>Rows done in one pass after which the work counts as "several batches" and the mid checkpoint runs.</summary>
    public const int SeveralBatchesRows = 20;

    public OnlineDirection Direction => direction;

    public int Batches { get; private set; }

    public bool SawSeveralBatches { get; private set; }

    /// <summary>The driver's batch size, capped.</summary>
    public static int BatchSize(int computed) => Math.Min(computed, BatchCap);

    /// <summary>Awaited by the driver before every batch: counts, runs checkpoints, interrupts when asked.</summary>
    public async ValueTask<OnlineBatchDecision> BeforeBatchAsync(OnlineBatch batch)
    {
        Batches++;
        if (interruption.BeforeBatch is { } at && Batches == at)
        {
            return OnlineBatchDecision.Interrupt;
        }

        if (batch.Pass == 0 && batch.RowsInPass == 0)
        {
            await CheckAsync(OnlineCheckpoint.BeforeFirstBatch);
        }
        else if (batch.RowsInPass > SeveralBatchesRows && !SawSeveralBatches)
        {
            SawSeveralBatches = true;
            await CheckAsync(OnlineCheckpoint.MidOnline);
            if (interruption.Midway)
            {
                return OnlineBatchDecision.Interrupt;
            }
        }

        return OnlineBatchDecision.Continue;
    }

    /// <summary>The "done" checkpoint, after the operation finished without interruption.</summary>
    public Task DoneAsync() => Batches > 0 ? CheckAsync(OnlineCheckpoint.Done) : Task.CompletedTask;

    // The version's check is its test's code: a failing assertion propagates as it is, and ends the check.
    private Task CheckAsync(OnlineCheckpoint checkpoint) => check is null ? Task.CompletedTask : check(direction, checkpoint);
}
