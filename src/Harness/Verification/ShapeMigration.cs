using Tcdb.Migration;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// The upgrade to N, the downgrade to N-1 and the re-upgrade of a version's shape; a failure is a finding.
/// Generic rows cannot know every column's implicit shape: an upgrade or downgrade that fails on them is
/// retried on the same database without them (the warning needs-version-seed, a defect with --strict); one
/// that fails without them, or on the rows of the version's own test, is a defect.
/// </summary>
internal sealed class ShapeMigration(VerificationRun run, int version, VersionMigrations migrations, string connectionString, DatabaseSnapshots snapshots, FindingSink findings)
{
    private int Previous => version - 1;

    private string Subject => $"version {version}";

    /// <summary>
    /// Null when it failed (the finding is recorded). RetriedFrom: when the database was emptied to succeed,
    /// its rows (none) as the successful attempt started from them.
    /// </summary>
    public async Task<(OnlineRun Online, DataSnapshot? RetriedFrom)?> RunAsync(OnlineDirection direction, DataSnapshot rowsBefore, CancellationToken ct)
    {
        var (step, failedKind) = direction == OnlineDirection.Upgrade
            ? ($"upgrade to {version}", VerificationFindingKind.UpgradeFailed)
            : ($"downgrade to {Previous}", VerificationFindingKind.DowngradeFailed);
        var (online, failure) = await TryAsync(direction, ct);
        if (failure is null)
        {
            return (online!, null);
        }

        if (run.Options.HooksFor(version).HasOwnSeed || !rowsBefore.Tables.Any(t => t.RowCount > 0))
        {
            findings.Defect(KindOf(failure, failedKind), Subject, $"{step} failed: {ErrorLines.First(failure.Message)}");
            return null;
        }

        await VersionSeed.TruncateAllAsync(connectionString, ct);
        var emptied = await snapshots.DataAsync(ct);
        var (again, secondFailure) = await TryAsync(direction, ct);
        if (secondFailure is not null)
        {
            findings.Defect(KindOf(secondFailure, failedKind), Subject, $"{step} failed (also without seed rows): {ErrorLines.First(secondFailure.Message)}");
            return null;
        }

        NeedsVersionSeed(step, failure);
        return (again!, emptied);
    }

    /// <summary>The upgrade after the downgrade; false when it failed (the finding is recorded).</summary>
    public async Task<bool> ReupgradeAsync(CancellationToken ct)
    {
        var (_, failure) = await TryAsync(OnlineDirection.Upgrade, ct);
        if (failure is not null)
        {
            findings.Defect(KindOf(failure, VerificationFindingKind.ReupgradeFailed), Subject, $"upgrade to {version} after the downgrade failed: {ErrorLines.First(failure.Message)}");
        }

        return failure is null;
    }

    private async Task<(OnlineRun? Online, MigrationException? Failure)> TryAsync(OnlineDirection direction, CancellationToken ct)
    {
        try
        {
            return (await migrations.RunAsync(direction, OnlineInterruption.None, ct), null);
        }
        catch (MigrationException failure)
        {
            return (null, failure);
        }
    }

    private void NeedsVersionSeed(string step, MigrationException failure) =>
        findings.Add(
            run.Options.Strict ? FindingSeverity.Defect : FindingSeverity.Warning,
            VerificationFindingKind.NeedsVersionSeed,
            Subject,
            $"{step} fails on generic seed rows but succeeds without them: {ErrorLines.First(failure.Message)}; " +
            "the rows were shaped by what the directory's SQL reads (jsonb keys and their casts, split text, slugids), which does not cover what this statement needs" +
            (run.Shapes.Unsatisfied() is { Count: > 0 } unsatisfied ? $" (not inferred: {string.Join("; ", unsatisfied.Take(5))})" : string.Empty) +
            "; its data migration is unverified until a version test seeds rows of the right shape");

    /// <summary>The kind of a failed step: online-never-completes when the online work cannot finish, else <paramref name="otherwise"/>.</summary>
    public static VerificationFindingKind KindOf(MigrationException failure, VerificationFindingKind otherwise) =>
        failure.Failure == MigrationFailure.OnlineNeverCompletes ? VerificationFindingKind.OnlineNeverCompletes : otherwise;
}
