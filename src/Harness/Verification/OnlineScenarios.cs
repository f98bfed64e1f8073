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
/// defect: it would test nothing.
/// </summary>
internal sealed class OnlineScenarios(VersionCheck check, bool onlineUp, bool onlineDown, OnlineExpectations expected)
{
    private GeneratedValues generatedByDowngrade = GeneratedValues.None;

    public async Task RunAsync(CancellationToken ct)
    {
        var version = check.Version;

        // Start from N-1 with everything complete. Values that differ from the first downgrade's are ones
        // the downgrade generates.
        await DownAsync(interrupt: false, ct);
        generatedByDowngrade = GeneratedValues.Between(expected.DataAtPrevious, await check.DataAsync(ct));

        // 1. Upgrade interrupted mid-online and restarted; downgrade interrupted mid-online and restarted.
        await UpAsync(interrupt: true, ct);
        var up = await UpAsync(interrupt: false, ct);
        await ExpectCatalogAtNAsync("after an interrupted upgrade was restarted", ct);
        await DownAsync(interrupt: true, ct);
        var down = await DownAsync(interrupt: false, ct);
        await ExpectDataAtPreviousAsync("after an interrupted downgrade was restarted", ct);
        RequireSeveralBatches(up, down);

        // 2. Restart upgrades and downgrades repeatedly, then finish the upgrade.
        for (var round = 0; round < 2; round++)
        {
            await UpAsync(interrupt: true, ct);
            await DownAsync(interrupt: true, ct);
        }

        await UpAsync(interrupt: false, ct);
        await ExpectCatalogAtNAsync("after repeated interrupted upgrades and downgrades", ct);

        // 3. Upgrade interrupted mid-online, then downgraded.
        await DownAsync(interrupt: false, ct);
        await UpAsync(interrupt: true, ct);
        await DownAsync(interrupt: false, ct);
        await ExpectDataAtPreviousAsync("after an interrupted upgrade was downgraded", ct);

        // 4. An interruption before a random batch, replayable from the printed seed.
        var seed = check.Settings.Seed * 31 + version;
        var batches = Math.Max(2, onlineUp ? up.Batches : down.Batches);
        var at = new Random(seed).Next(1, batches + 1);
        check.Note($"random interruption before batch {at} of ~{batches} (seed {check.Settings.Seed}, version {version})");
        var random = check.Recorder(OnlineDirection.Upgrade, interruptBeforeBatch: onlineUp ? at : null);
        await check.UpgradeAsync(random, ct);
        check.RecordOnline(random);
        await UpAsync(interrupt: false, ct);
        await ExpectCatalogAtNAsync($"after an upgrade interrupted before batch {at} (seed {check.Settings.Seed}) was restarted", ct);
        if (onlineDown)
        {
            var randomDown = check.Recorder(OnlineDirection.Downgrade, interruptBeforeBatch: at);
            await check.DowngradeAsync(randomDown, ct);
            check.RecordOnline(randomDown);
            await DownAsync(interrupt: false, ct);
            await ExpectDataAtPreviousAsync($"after a downgrade interrupted before batch {at} (seed {check.Settings.Seed}) was restarted", ct);
            await UpAsync(interrupt: false, ct);
        }
    }

    private Task<OnlineRecorder> UpAsync(bool interrupt, CancellationToken ct) => MigrateAsync(OnlineDirection.Upgrade, interrupt && onlineUp, ct);

    private Task<OnlineRecorder> DownAsync(bool interrupt, CancellationToken ct) => MigrateAsync(OnlineDirection.Downgrade, interrupt && onlineDown, ct);

    /// <summary>One upgrade to N or downgrade to N-1, interrupted mid-online when asked; checkpoints run either way.</summary>
    private async Task<OnlineRecorder> MigrateAsync(OnlineDirection direction, bool interrupt, CancellationToken ct)
    {
        var recorder = check.Recorder(direction, interruptMidway: interrupt);
        await (direction == OnlineDirection.Upgrade ? check.UpgradeAsync(recorder, ct) : check.DowngradeAsync(recorder, ct));
        if (!recorder.Interrupted)
        {
            recorder.Done();
        }

        check.RecordOnline(recorder);
        return recorder;
    }

    private void RequireSeveralBatches(OnlineRecorder up, OnlineRecorder down)
    {
        foreach (var (recorder, has) in new[] { (up, onlineUp), (down, onlineDown) })
        {
            if (has && !recorder.SawSeveralBatches)
            {
                check.Defect(
                    VerificationFindingKind.OnlineMigration,
                    $"version {check.Version}",
                    $"online {(recorder.Direction == OnlineDirection.Upgrade ? "migration" : "downgrade")} of version {check.Version} ran {recorder.Batches} batch(es) without passing {OnlineRecorder.SeveralBatchesRows} rows: " +
                    "too little data was seeded to see several batches; seed more rows for this version");
            }
        }
    }

    private async Task ExpectCatalogAtNAsync(string when, CancellationToken ct)
    {
        var catalog = check.CatalogAsync(ct);
        var data = check.DataAsync(ct);
        check.CompareCatalogs(expected.CatalogAtN, await catalog, when, reupgrade: true);
        check.CompareRows(expected.DataAtN, await data, expected.GeneratedByUpgrade, $"rows at version {check.Version} {when} differ from the uninterrupted upgrade's");
    }

    private async Task ExpectDataAtPreviousAsync(string when, CancellationToken ct) =>
        check.CompareRows(expected.DataAtPrevious, await check.DataAsync(ct), generatedByDowngrade, $"rows at version {check.Version - 1} {when} differ from the uninterrupted downgrade's");
}
