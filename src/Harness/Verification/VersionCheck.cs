using Tcdb.Migration;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// The per-version shape on one database that is at N-1, as a pipeline of steps that all write to one
/// <see cref="FindingSink"/>: seed (<see cref="SeedStep"/>), snapshot (S0), upgrade to N with its online
/// migration (<see cref="ShapeMigration"/>; S1), the functions called (<see cref="FunctionCalls"/>), the
/// version's assertions, downgrade to N-1 with its online downgrade (S2: the catalog must equal S0's), the
/// functions again, re-upgrade (S3: the catalog must equal S1's, and the rows S1 held must all be back,
/// <see cref="DataJudgement"/>), and the interruption scenarios when the version has online work
/// (<see cref="OnlineScenarios"/>). This class only orders the steps, times each (<see cref="PhaseClock"/>)
/// and bounds the whole by the version timeout. The database is left at N, with its data, for the next version.
/// </summary>
internal sealed class VersionCheck
{
    private readonly VerificationRun run;
    private readonly int version;
    private readonly MigrationSession session;
    private readonly VersionHooks hooks;
    private readonly VersionContext context;
    private readonly FindingSink findings;
    private readonly PhaseClock clock = new();
    private readonly DatabaseSnapshots snapshots;
    private readonly VersionComparisons compare;
    private readonly VersionMigrations migrations;
    private readonly FunctionCalls functions;
    private readonly bool copyOnDemand;
    private int seededRows;
    private bool retriedDowngradeWithoutSeed;
    private (long, long, long)? rows;

    /// <summary>
    /// A check of <paramref name="version"/> on the database of <paramref name="session"/>; with <paramref name="copyOnDemand"/>
    /// it takes no copy at N-1 for the replay (<see cref="UpgradeReplay"/>): should the rows need it, the check
    /// stops with <see cref="NeedsReplayCopy"/> instead, for the caller to run the version again with the copy, from
    /// the upward pass's state at N-1 (as after a version that breaks the chain). Only for a version whose test runs
    /// no code of its own (that code would run twice).
    /// </summary>
    public VersionCheck(VerificationRun run, int version, MigrationSession session, bool copyOnDemand = false)
    {
        this.run = run;
        this.copyOnDemand = copyOnDemand;
        this.version = version;
        this.session = session;
        hooks = run.Options.HooksFor(version);
        context = new VersionContext(run.Schema, version, session.ConnectionString, run.RolePrefix);
        findings = new FindingSink(version);
        snapshots = new DatabaseSnapshots(session.ConnectionString, run);
        compare = new VersionComparisons(version, run.RolePrefix, hooks, findings);
        migrations = new VersionMigrations(session, version, hooks.DuringOnlineWork is { } check ? (d, c) => check(context, d, c) : null);
        functions = new FunctionCalls(run, version, session.ConnectionString);
    }

    /// <summary>The catalog at N once the check ends (after the re-upgrade): the next version's S0 on the same database.</summary>
    public CatalogSnapshot? CatalogAtEnd { get; private set; }

    /// <summary>
    /// The check stopped at the data judgement because rows at N did not come back and the copy at N-1 that tells
    /// generated values from lost ones was not taken: its result is no verdict; run the version again with a copy.
    /// </summary>
    public bool NeedsReplayCopy { get; private set; }

    /// <summary>Runs the shape; <paramref name="catalogAtStart"/> is S0 when the caller already has it (the previous version's end).</summary>
    public async Task<VersionResult> RunAsync(CatalogSnapshot? catalogAtStart, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(run.Options.VersionTimeout);
        bool completed;
        await using (var replay = new UpgradeReplay(run, version, copyOnDemand))
        {
            try
            {
                completed = await RunStepsAsync(catalogAtStart, replay, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Every step runs in transactions of its own: what the cancelled one did is rolled back, so the
                // database is at a whole version; the caller continues on another database.
                findings.Defect(
                    VerificationFindingKind.VersionTimeout,
                    $"version {version}",
                    $"verifying version {version} did not finish within {run.Options.VersionTimeout.TotalSeconds:0} s (the version timeout); it was cancelled during {clock.Running ?? "setup"}");
                completed = false;
            }
        }

        // The next version may start from this database only if it holds what the plain upgrade leaves at N:
        // after a defect (or a downgrade retried without seed rows) it may not, and the caller rebuilds that state.
        var intact = completed && !retriedDowngradeWithoutSeed && !findings.HasDefects;
        return new VersionResult(version, findings.ToList(), findings.Notes, clock.Milliseconds, seededRows, intact)
        {
            Probes = functions.Observations,
            Rows = rows,
        };
    }

    /// <summary>The steps in order; false when one ended the shape early (its finding is recorded).</summary>
    private async Task<bool> RunStepsAsync(CatalogSnapshot? catalogAtStart, UpgradeReplay replay, CancellationToken ct)
    {
        var migration = new ShapeMigration(run, version, migrations, session.ConnectionString, snapshots, findings);
        seededRows = await Step("seed", () => new SeedStep(run, version, context, findings).RunAsync(ct));
        var s0 = await Step("snapshot", async () => catalogAtStart is null
            ? await snapshots.BothAsync(ct)
            : new Snapshot(catalogAtStart, await snapshots.DataAsync(ct)));
        await HookAsync(hooks.AssertBeforeUpgrade);
        await Step("snapshot", () => replay.PrepareAsync(session, ct));

        if (await Step("upgrade", () => migration.RunAsync(OnlineDirection.Upgrade, s0.Data, ct)) is not { } upgrade)
        {
            return false;
        }

        var (up, upRetriedFrom) = upgrade;
        var data0 = s0.Data;
        if (upRetriedFrom is not null)
        {
            // The copy holds the rows the upgrade cannot take; the check goes on without rows.
            await replay.DiscardAsync();
            data0 = upRetriedFrom;
        }

        var s1 = await Step("snapshot", () => snapshots.BothAsync(ct));
        await Step("functions", () => functions.AfterUpgradeAsync(s1, ct));
        await HookAsync(hooks.AssertAfterUpgrade);

        if (await Step("downgrade", () => migration.RunAsync(OnlineDirection.Downgrade, s1.Data, ct)) is not { } downgrade)
        {
            return false;
        }

        var (down, downRetriedFrom) = downgrade;
        var data1 = s1.Data;
        if (downRetriedFrom is not null)
        {
            retriedDowngradeWithoutSeed = true;
            await replay.DiscardAsync();
            data0 = data1 = downRetriedFrom;
        }

        var s2 = await Step("compare", async () =>
        {
            var after = await snapshots.BothAsync(ct);
            compare.Catalogs(s0.Catalog, after.Catalog, $"after downgrade to {version - 1}", reupgrade: false);
            return after;
        });
        await Step("functions", () => functions.AfterDowngradeAsync(s2, ct));
        await HookAsync(hooks.AssertBeforeUpgrade);

        if (!await Step("re-upgrade", () => migration.ReupgradeAsync(ct)))
        {
            return false;
        }

        var judged = await Step("compare", async () =>
        {
            var s3 = await snapshots.BothAsync(ct);
            CatalogAtEnd = s3.Catalog;
            compare.Catalogs(s1.Catalog, s3.Catalog, "after re-upgrade", reupgrade: true);
            rows = (RowCount(data0), RowCount(data1), RowCount(s2.Data));
            return await new DataJudgement(version, hooks, findings).JudgeAsync(data0, data1, s2.Data, s3.Data, replay, ct);
        });
        if (judged is not { } generated)
        {
            NeedsReplayCopy = true;
            return false;
        }

        await HookAsync(hooks.AssertAfterUpgrade);

        if (up.Batches > 0 || down.Batches > 0)
        {
            var expected = new OnlineExpectations(s1.Catalog, data1, s2.Data, generated);
            var scenarios = new OnlineScenarios(migrations, snapshots, compare, findings, run.Options.Seed);
            try
            {
                await Step("online scenarios", () => scenarios.RunAsync(up.Batches > 0, down.Batches > 0, expected, ct));
            }
            catch (MigrationException failure)
            {
                // An upgrade or downgrade that only fails after an interruption (the downgrade of a half-migrated table, say).
                findings.Defect(ShapeMigration.KindOf(failure, VerificationFindingKind.OnlineMigration), $"version {version}", $"an interruption scenario failed: {ErrorLines.First(failure.Message)}");
                return false;
            }
        }

        return true;
    }

    private Task<T> Step<T>(string phase, Func<Task<T>> step) => clock.TimeAsync(phase, step);

    private Task Step(string phase, Func<Task> step) => clock.TimeAsync(phase, step);

    /// <summary>One of the version test's assertions; its exception ends the check as it is (see <see cref="VersionHooks"/>).</summary>
    private Task HookAsync(Func<VersionContext, Task>? hook) => hook is null ? Task.CompletedTask : Step("version test", () => hook(context));

    private static long RowCount(DataSnapshot data) => data.Tables.Sum(t => (long)t.RowCount);
}
