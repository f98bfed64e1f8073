using Tcdb.Migration;

namespace Tcdb.Verification;

/// <summary>How one upgrade or downgrade of a version went online: its batches, and whether it was stopped before one.</summary>
internal sealed record OnlineRun(OnlineDirection Direction, int Batches, bool SawSeveralBatches, bool Interrupted);

/// <summary>
/// The upgrade to N and the downgrade to N-1 of one version on its database, each under a fresh
/// <see cref="OnlineInterrupter"/> wired to the version's check during online work, which also runs at the
/// "done" checkpoint when the step was not interrupted. A failing step throws <see cref="MigrationException"/>.
/// </summary>
internal sealed class VersionMigrations(MigrationSession session, int version, Func<OnlineDirection, OnlineCheckpoint, Task>? check)
{
    public Task<OnlineRun> UpgradeAsync(OnlineInterruption interruption, CancellationToken ct) => RunAsync(OnlineDirection.Upgrade, interruption, ct);

    public Task<OnlineRun> DowngradeAsync(OnlineInterruption interruption, CancellationToken ct) => RunAsync(OnlineDirection.Downgrade, interruption, ct);

    public async Task<OnlineRun> RunAsync(OnlineDirection direction, OnlineInterruption interruption, CancellationToken ct)
    {
        var interrupter = new OnlineInterrupter(direction, interruption, check);
        var interrupted = direction == OnlineDirection.Upgrade
            ? await session.UpgradeAsync(version, interrupter, ct)
            : await session.DowngradeAsync(version - 1, interrupter, ct);
        if (!interrupted)
        {
            await interrupter.DoneAsync();
        }

        return new OnlineRun(direction, interrupter.Batches, interrupter.SawSeveralBatches, interrupted);
    }
}
