using Tcdb.Migration;
using Tcdb.Servers;

namespace Tcdb.Verification;

/// <summary>
/// The seeded upward pass: the state a sequential verification leaves at each version, reached without checking
/// anything. Each version's generic rows are seeded at N-1 and migrated by its upgrade. The engine's segments start
/// from templates this pass leaves, and rebuild that state after a version with a defect, so a verdict never
/// depends on where a segment starts; <c>tcdb mutate</c> seeds its templates the same way.
/// </summary>
internal static class UpwardPass
{
    /// <summary>
    /// Takes <paramref name="db"/> from <paramref name="from"/> to <paramref name="to"/>, a <see cref="StepAsync"/>
    /// per version. False when a version cannot be applied.
    /// </summary>
    public static async Task<bool> RunAsync(VerificationRun run, ServerDatabase db, int from, int to, CancellationToken ct)
    {
        await using var session = new MigrationSession(run, db);
        for (var version = from + 1; version <= to; version++)
        {
            if (!await StepAsync(run, session, version, ct))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What happens to a database's rows on the way from N-1 to N when nothing is checked: the version's
    /// generic rows (and its test's own seed), then the upgrade; an upgrade that fails on generic rows is
    /// retried without them, as the check does. False when the version cannot be applied at all.
    /// </summary>
    public static async Task<bool> StepAsync(VerificationRun run, MigrationSession session, int version, CancellationToken ct)
    {
        var hooks = run.Options.HooksFor(version);
        await VersionSeed.SeedAsync(run, version, session.ConnectionString, ct);
        if (hooks.Seed is not null)
        {
            try
            {
                await hooks.Seed(new VersionContext(run.Schema, version, session.ConnectionString, run.RolePrefix));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The version's check runs the same seed and reports its failure.
            }
        }

        if (await TryUpgradeAsync(run, session, version, ct))
        {
            return true;
        }

        if (hooks.HasOwnSeed)
        {
            return false;
        }

        await VersionSeed.TruncateAllAsync(session.ConnectionString, ct);
        return await TryUpgradeAsync(run, session, version, ct);
    }

    /// <summary>One upgrade, bounded by the version timeout; false when it fails or takes too long (it is rolled back).</summary>
    private static async Task<bool> TryUpgradeAsync(VerificationRun run, MigrationSession session, int version, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(run.Options.VersionTimeout);
        try
        {
            await session.Migrator.UpgradeAsync(version, timeout.Token);
            return true;
        }
        catch (MigrationException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
