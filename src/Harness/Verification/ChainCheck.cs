using System.Collections.Concurrent;
using Tcdb.Migration;
using Tcdb.Runs;
using Tcdb.Servers;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// The whole chain on an empty database: 0 -> latest with the grant and column checks, a downgrade to 0 that must
/// leave nothing behind, and the upgrade to latest again. A failing step is one finding and ends the chain; the same
/// drift after the upgrade and after the re-upgrade is reported once.
/// </summary>
internal sealed class ChainCheck(VerificationRun run)
{
    private readonly ConcurrentDictionary<(VerificationFindingKind, string, string), byte> facts = new();
    private readonly ConcurrentQueue<VerificationFinding> findings = new();

    /// <summary>What the chain found, in the order found.</summary>
    public IReadOnlyCollection<VerificationFinding> Findings => findings;

    public async Task RunAsync(RunScope scope, CancellationToken ct)
    {
        var db = await scope.CreateDatabaseAsync(ct);
        var empty = await CatalogAsync(db, ct);
        var latest = run.Schema.LatestVersion;
        run.Options.Progress?.Invoke($"chain: upgrade 0 -> {latest}, downgrade to 0, upgrade again");
        if (!await StepAsync(db, async (m, t) => ReportDrift((await m.UpgradeAsync(null, t)).Findings, "after upgrading to the latest version"), VerificationFindingKind.ChainUpgradeFailed, $"upgrade from 0 to {latest}", ct))
        {
            return;
        }

        if (!await StepAsync(db, (m, t) => m.DowngradeAsync(0, t), VerificationFindingKind.ChainDowngradeFailed, $"downgrade from {latest} to 0", ct))
        {
            return;
        }

        foreach (var difference in CatalogDiff.Compare(empty, await CatalogAsync(db, ct)).Where(d => d.IsDifference && !MigratorFootprint.Explains(d, run.RolePrefix)))
        {
            Add(VerificationFindingKind.ChainLeftover, null, $"{CatalogObject.Describe(difference.ObjectKind)} {difference.QualifiedName}", $"{difference} (after downgrading every version to 0)");
        }

        await StepAsync(db, async (m, t) => ReportDrift((await m.UpgradeAsync(null, t)).Findings, "after the re-upgrade to the latest version"), VerificationFindingKind.ChainReupgradeFailed, "re-upgrade to the latest version", ct);
    }

    private void ReportDrift(IReadOnlyList<CheckFinding> drift, string when)
    {
        foreach (var finding in drift)
        {
            var (kind, document) = finding.Document == DriftDocument.Tables
                ? (VerificationFindingKind.ColumnDrift, "tables.yml")
                : (VerificationFindingKind.GrantDrift, "access.yml");
            Add(kind, run.Schema.LatestVersion, document, $"{finding.Message} ({when})", dedupeBy: finding.Message);
        }
    }

    /// <summary>
    /// Runs one migrator step on the chain database; a failure is a finding and stops the chain. The step
    /// may take the version timeout once per version of the directory.
    /// </summary>
    private async Task<bool> StepAsync(ServerDatabase db, Func<Migrator, CancellationToken, Task> step, VerificationFindingKind failureKind, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = run.Options.VersionTimeout * Math.Max(1, run.Schema.LatestVersion);
        timeout.CancelAfter(limit);
        try
        {
            await using var migrator = new Migrator(run.Schema, db.ConnectionString, run.MigratorOptions());
            await step(migrator, timeout.Token);
            return true;
        }
        catch (MigrationException e)
        {
            Add(failureKind, e.Version, $"version {e.Version}", $"{what} on an empty database failed: {ErrorLines.First(e.Message)}");
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Add(VerificationFindingKind.VersionTimeout, null, "chain", $"{what} on an empty database did not finish within {limit.TotalSeconds:0} s (the version timeout once per version); it was cancelled");
            return false;
        }
    }

    private Task<CatalogSnapshot> CatalogAsync(ServerDatabase db, CancellationToken ct) => new DatabaseSnapshots(db.ConnectionString, run).CatalogAsync(ct);

    private void Add(VerificationFindingKind kind, int? version, string subject, string message, string? dedupeBy = null)
    {
        if (facts.TryAdd((kind, subject, dedupeBy ?? message), 0))
        {
            findings.Enqueue(new VerificationFinding(FindingSeverity.Defect, kind, version, subject, message));
        }
    }
}
