namespace Tcdb.Verification;

/// <summary>Thrown by <see cref="OnlineRecorder"/> to interrupt online work between two batches.</summary>
internal sealed class OnlineInterruption(string message) : Exception(message);

/// <summary>
/// Watches the online batches of one upgrade or downgrade through the migrator's test hooks: caps the batch
/// size so that a modest seed needs several batches, calls the version's checks at each checkpoint, and
/// interrupts when asked (mid-way, or before a given batch).
/// </summary>
internal sealed class OnlineRecorder(OnlineDirection direction, Func<OnlineDirection, OnlineCheckpoint, Task>? check)
{
    /// <summary>Batch size cap while verifying (so a check sees several batches of about 100 rows, and interruptions land between them).</summary>
    public const int BatchCap = 10;

    /// <summary>Rows done in one pass after which the work counts as "several batches" and the mid checkpoint runs.</summary>
    public const int SeveralBatchesRows = 20;

    public OnlineDirection Direction => direction;

    /// <summary>Interrupt at the mid checkpoint.</summary>
    public bool InterruptMidway { get; init; }

    /// <summary>Interrupt before this batch (1-based), when set.</summary>
    public int? InterruptBeforeBatch { get; init; }

    public int Batches { get; private set; }

    public bool SawSeveralBatches { get; private set; }

    public bool Interrupted { get; private set; }

    /// <summary>Failures of the version's checks at the checkpoints (recorded, so the migration itself goes on).</summary>
    public List<string> CheckFailures { get; } = [];

    /// <summary>The driver's batch size, capped.</summary>
    public static int BatchSize(int computed) => Math.Min(computed, BatchCap);

    /// <summary>Runs the "done" checkpoint after the operation finished without interruption.</summary>
    public void Done()
    {
        if (Batches > 0)
        {
            Run(OnlineCheckpoint.Done);
        }
    }

    /// <summary>Called by the driver before every batch: counts, runs checkpoints, interrupts when asked.</summary>
    public void BeforeBatch(int pass, long rows)
    {
        Batches++;
        if (InterruptBeforeBatch is { } at && Batches == at)
        {
            Interrupted = true;
            throw new OnlineInterruption($"interrupted before batch {at}");
        }

        if (pass == 0 && rows == 0)
        {
            Run(OnlineCheckpoint.BeforeFirstBatch);
        }
        else if (rows > SeveralBatchesRows && !SawSeveralBatches)
        {
            SawSeveralBatches = true;
            Run(OnlineCheckpoint.MidOnline);
            if (InterruptMidway)
            {
                Interrupted = true;
                throw new OnlineInterruption("interrupted mid-online");
            }
        }
    }

    private void Run(OnlineCheckpoint checkpoint)
    {
        if (check is null)
        {
            return;
        }

        try
        {
            // The driver's hook is synchronous; the check runs on its own connections.
            check(direction, checkpoint).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            CheckFailures.Add($"{direction.ToString().ToLowerInvariant()} at {checkpoint}: {FirstLines(e.Message)}");
        }
    }

    /// <summary>An error message on one line, cut to a readable length (the full text is in the migrator's exception).</summary>
    internal static string FirstLines(string message, int maxLength = 400)
    {
        var line = string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(6));
        return line.Length <= maxLength ? line : line[..maxLength] + " …";
    }
}
