using Tcdb.Migration;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// What the database must look like after each interruption scenario: at N the catalog and rows of the
/// uninterrupted upgrade (S1, apart from values the upgrade generates), at N-1 the rows of the
/// uninterrupted downgrade (S2, apart from values the downgrade generates).
/// </summary>
internal sealed record OnlineExpectations(
    CatalogSnapshot CatalogAtN,
    DataSnapshot DataAtN,
    DataSnapshot DataAtPrevious,
    GeneratedValues GeneratedByUpgrade);

/// <summary>
/// The interruption scenarios for a version with an online migration and/or downgrade, run on the
/// database the shape left at N: interrupted mid-online and restarted (both directions); repeated
/// interrupted upgrades and downgrades; interrupted then downgraded; and an interruption before a random
/// batch whose seed is printed for replay. After each scenario the database must hold what the
/// uninterrupted step left (<see cref="OnlineExpectations"/>). Too little data to see several batches is a
/// defect: it would test nothing. The scenarios only migrate the version (<see cref="VersionMigrations"/>),
/// snapshot its database and compare (<see cref="VersionComparisons"/>).
/// </summary>
internal sealed class OnlineScenarios(
    VersionMigrations migrations,
    DatabaseSnapshots snapshots,
    VersionComparisons compare,
    FindingSink findings,
    int seed)
{
    private GeneratedValues generatedByDowngrade = GeneratedValues.None;

    private int Version => findings.Version;

    public async Task RunAsync(bool onlineUp, bool onlineDown, OnlineExpectations expected, CancellationToken ct)
    {
        Task<OnlineRun> UpAsync(bool interrupt) => migrations.UpgradeAsync(interrupt && onlineUp ? OnlineInterruption.AtMidway : OnlineInterruption.None, ct);
        Task<OnlineRun> DownAsync(bool interrupt) => migrations.DowngradeAsync(interrupt && onlineDown ? OnlineInterruption.AtMidway : OnlineInterruption.None, ct);

        // Start from N-1 with everything complete. Values that differ from the first downgrade's are ones
        // the downgrade generates.
        await DownAsync(interrupt: false);
        generatedByDowngrade = GeneratedValues.Between(expected.DataAtPrevious, await snapshots.DataAsync(ct));

        // 1. Upgrade interrupted mid-online and restarted; downgrade interrupted mid-online and restarted.
        await UpAsync(interrupt: true);
        var up = await UpAsync(interrupt: false);
        await ExpectAtNAsync(expected, "after an interrupted upgrade was restarted", ct);
        await DownAsync(interrupt: true);
        var down = await DownAsync(interrupt: false);
        await ExpectAtPreviousAsync(expected, "after an interrupted downgrade was restarted", ct);
        RequireSeveralBatches(up, onlineUp);
        RequireSeveralBatches(down, onlineDown);

        // 2. Restart upgrades and downgrades repeatedly, then finish the upgrade.
        for (var round = 0; round < 2; round++)
        {
            await UpAsync(interrupt: true);
            await DownAsync(interrupt: true);
        }

        await UpAsync(interrupt: false);
        await ExpectAtNAsync(expected, "after repeated interrupted upgrades and downgrades", ct);

        // 3. Upgrade interrupted mid-online, then downgraded.
        await DownAsync(interrupt: false);
        await UpAsync(interrupt: true);
        await DownAsync(interrupt: false);
        await ExpectAtPreviousAsync(expected, "after an interrupted upgrade was downgraded", ct);

        // 4. An interruption before a random batch, replayable from the printed seed.
        var batches = Math.Max(2, onlineUp ? up.Batches : down.Batches);
        var at = new Random(seed * 31 + Version).Next(1, batches + 1);
        findings.Note($"random interruption before batch {at} of ~{batches} (seed {seed}, version {Version})");
        await migrations.UpgradeAsync(onlineUp ? OnlineInterruption.AtBatch(at) : OnlineInterruption.None, ct);
        await UpAsync(interrupt: false);
        await ExpectAtNAsync(expected, $"after an upgrade interrupted before batch {at} (seed {seed}) was restarted", ct);
        if (onlineDown)
        {
            await migrations.DowngradeAsync(OnlineInterruption.AtBatch(at), ct);
            await DownAsync(interrupt: false);
            await ExpectAtPreviousAsync(expected, $"after a downgrade interrupted before batch {at} (seed {seed}) was restarted", ct);
            await UpAsync(interrupt: false);
        }
    }

    private void RequireSeveralBatches(OnlineRun run, bool online)
    {
        if (online && !run.SawSeveralBatches)
        {
            findings.Defect(
                VerificationFindingKind.OnlineMigration,
                $"version {Version}",
                $"online {(run.Direction == OnlineDirection.Upgrade ? "migration" : "downgrade")} of version {Version} ran {run.Batches} batch(es) without passing {OnlineInterrupter.SeveralBatchesRows} rows: " +
                "too little data was seeded to see several batches; seed more rows for this version");
        }
    }

    private async Task ExpectAtNAsync(OnlineExpectations expected, string when, CancellationToken ct)
    {
        var now = await snapshots.BothAsync(ct);
        compare.Catalogs(expected.CatalogAtN, now.Catalog, when, reupgrade: true);
        compare.Rows(expected.DataAtN, now.Data, expected.GeneratedByUpgrade, $"rows at version {Version} {when} differ from the uninterrupted upgrade's");
    }

    private async Task ExpectAtPreviousAsync(OnlineExpectations expected, string when, CancellationToken ct) =>
        compare.Rows(expected.DataAtPrevious, await snapshots.DataAsync(ct), generatedByDowngrade, $"rows at version {Version - 1} {when} differ from the uninterrupted downgrade's");
}
