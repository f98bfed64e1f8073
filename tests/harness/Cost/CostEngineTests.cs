using Tcdb.Cost;
using Tcdb.Harness.Tests.Schema;
using Tcdb.Schema;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Cost;

/// <summary>
/// <c>tcdb cost</c>'s engine on small directories whose version 2 has a known cost: the locks, rewrites, scans
/// and online batch profiles it reports come from PostgreSQL (11 and 15), not from rules about the SQL.
/// </summary>
[TestFixture]
public sealed class CostEngineTests
{
    [Test]
    public async Task ColumnTypeChangeRewritesUnderAccessExclusiveAndTakesLongerWithMoreRows()
    {
        var report = await RunAsync("alter-type", [200, 100_000]);

        var version = report.Versions.Single(v => v.Version == 2);
        Assert.That(version.Measurement.TouchedTables, Is.EqualTo(new[] { "public.things" }));
        var (small, large) = (version.Measurement.Scales[0], version.Measurement.Scales[1]);
        foreach (var scale in new[] { small, large })
        {
            foreach (var step in new[] { scale.Upgrade!, scale.Downgrade! })
            {
                var things = step.Tables.Single();
                Assert.That((things.Table, things.Mode, things.Rewritten, things.RewriteReason), Is.EqualTo(("public.things", LockModes.AccessExclusive, true, "alter column type")));
                Assert.That((things.BlocksReads, things.BlocksWrites, things.FullScan), Is.EqualTo((true, true, true)));
                Assert.That(things.IndexesBuilt, Is.EqualTo(1), "the primary key is rebuilt with the table");
                Assert.That(things.TuplesRead, Is.GreaterThanOrEqualTo(scale.RowsPerTable));
            }
        }

        Assert.That(large.TouchedRows, Is.EqualTo(100_000));
        Assert.That(large.Upgrade!.Duration, Is.GreaterThan(small.Upgrade!.Duration), "a rewrite copies every row");
        Assert.That(large.Upgrade.Tables[0].Held, Is.GreaterThan(small.Upgrade.Tables[0].Held));
        Assert.That(version.Locks.Select(l => (l.Direction, l.Cause)), Does.Contain((CostDirection.Upgrade, "`alter column type` rewrites `things`")));
        Assert.That(version.Status, Is.EqualTo(CostStatus.Ok), "no budget, no defect");
    }

    [Test]
    public async Task ScansAreMeasuredPerMajorNotAssumed()
    {
        var report = await RunAsync("set-not-null", [1_000]);

        var things = report.Versions.Single(v => v.Version == 2).Measurement.Scales.Single().Upgrade!.Tables.Single();
        // The update and the validation scan on every major; set not null scans again only before
        // PostgreSQL 12, which learned to trust a validated check constraint.
        var major = (await TestServer.GetAsync()).MajorVersion;
        Assert.That(things.SeqScans, Is.EqualTo(major >= 12 ? 2 : 3));
        Assert.That((things.Mode, things.FullScan, things.Rewritten), Is.EqualTo((LockModes.AccessExclusive, true, false)));
    }

    [Test]
    public async Task CreateIndexTakesAShareLockThatBlocksWritesButNotReads()
    {
        var report = await RunAsync("create-index", [500], o => o with { LockProbe = true });

        var scale = report.Versions.Single(v => v.Version == 2).Measurement.Scales.Single();
        var things = scale.Upgrade!.Tables.Single();
        Assert.That((things.Mode, things.BlocksWrites, things.BlocksReads), Is.EqualTo(("ShareLock", true, false)));
        Assert.That((things.Rewritten, things.IndexesBuilt, things.FullScan), Is.EqualTo((false, 1, true)));
        Assert.That(scale.Upgrade.ExclusiveTables, Is.Empty);
        var probe = scale.Upgrade.Probe!;
        Assert.That((probe.Table, probe.Mode), Is.EqualTo(("public.things", "ShareLock")));
        Assert.That(probe.WriteWaited, Is.GreaterThan(TimeSpan.FromMilliseconds(250)), "a writer waits for the slow step after the index build");
        Assert.That(probe.ReadWaited, Is.LessThan(TimeSpan.FromMilliseconds(200)), "a reader does not");
        Assert.That(scale.Downgrade!.Tables.Single().Mode, Is.EqualTo(LockModes.AccessExclusive), "drop index locks the table exclusively");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task CreateIndexConcurrentlyIsReportedAsImpossibleInAVersionInsteadOfHanging()
    {
        var report = await RunAsync("concurrently", [500]);

        var version = report.Versions.Single(v => v.Version == 2);
        Assert.That((version.Status, version.Measurement.CannotRunInTransaction), Is.EqualTo((CostStatus.Defect, true)));
        Assert.That(version.Reasons.Single(), Does.Contain("version 2: its migration script uses a statement PostgreSQL refuses inside a transaction"));
        Assert.That(version.Reasons.Single(), Does.Contain("CREATE INDEX CONCURRENTLY").And.Contain("can never be applied"));
        Assert.That(report.HasFindings, Is.True);
    }

    [Test]
    public async Task OnlineBatchThatKeepsItsPositionByKeyHasAFlatCost()
    {
        var report = await RunAsync("online-keyset", [3_000]);

        var version = report.Versions.Single(v => v.Version == 2);
        var online = version.Measurement.Scales.Single().OnlineMigration!;
        Assert.That(online.Rows, Is.EqualTo(3_000));
        Assert.That(online.Grows, Is.False, () => $"tuples x{online.TuplesGrowth}, time x{online.TimeGrowth}");
        Assert.That(online.TuplesGrowth, Is.LessThan(1.5));
        Assert.That(online.Points, Has.Count.EqualTo(5));
        var downgrade = version.Measurement.Scales.Single().OnlineDowngrade!;
        Assert.That((downgrade.Kind, downgrade.Rows, downgrade.Grows, downgrade.Problem), Is.EqualTo(("downgrade", 3_000L, false, (string?)null)));
        Assert.That(version.Status, Is.EqualTo(CostStatus.Ok));
        Assert.That(version.Online.Select(o => o.Direction), Is.EqualTo(new[] { CostDirection.Upgrade, CostDirection.Downgrade }));
        Assert.That(version.Online.Select(o => o.Estimated), Has.All.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task OnlineBatchThatRescansFromTheStartIsADefect()
    {
        var report = await RunAsync("online-rescan", [3_000]);

        var version = report.Versions.Single(v => v.Version == 2);
        var online = version.Measurement.Scales.Single().OnlineMigration!;
        Assert.That(online.Rows, Is.EqualTo(3_000), "the results are right; only the cost grows");
        Assert.That(online.Grows, Is.True);
        Assert.That(online.TuplesGrowth, Is.GreaterThan(3));
        Assert.That(online.Points[^1].TuplesRead, Is.GreaterThan(online.Points[1].TuplesRead * 2));
        Assert.That(version.Status, Is.EqualTo(CostStatus.Defect));
        Assert.That(version.Reasons.Single(), Does.StartWith("online migration: each batch costs more than the one before").And.Contain("rescans from the start"));
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task OnlineBatchThatMakesNoProgressIsReportedInsteadOfLooping()
    {
        var report = await RunAsync("online-stuck", [200]);

        var version = report.Versions.Single(v => v.Version == 2);
        Assert.That(version.Status, Is.EqualTo(CostStatus.Unmeasured));
        Assert.That(version.Notes.Single(), Does.Contain("online_migration_v2_batch makes no progress: its first batch returned count 0 3 times in a row"));
    }

    [Test]
    public async Task ManyTablesHeldExclusivelyAtOnceAndTheLockProbeWaitsOnTheFirst()
    {
        var report = await RunAsync("many-tables", [100], o => o with { LockProbe = true });

        var upgrade = report.Versions.Single(v => v.Version == 2).Measurement.Scales.Single().Upgrade!;
        Assert.That(upgrade.ExclusiveTables.Select(t => t.Table), Is.EquivalentTo(new[] { "public.apples", "public.pears", "public.plums" }));
        Assert.That(upgrade.FirstExclusive!.Table, Is.EqualTo("public.apples"));
        Assert.That(upgrade.FirstExclusive.Held, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390)), "held across the slow step, to commit");
        Assert.That(upgrade.Tables.Single(t => t.Table == "public.plums").Held, Is.LessThan(TimeSpan.FromMilliseconds(300)));
        Assert.That(upgrade.Probe, Is.Not.Null);
        Assert.That(upgrade.Probe!.Table, Is.EqualTo("public.apples"));
        Assert.That(upgrade.Probe.ReadWaited, Is.GreaterThan(TimeSpan.FromMilliseconds(250)));
        Assert.That(upgrade.Probe.WriteWaited, Is.GreaterThan(TimeSpan.FromMilliseconds(250)));
    }

    [Test]
    public async Task StatsFileDrivesAnOverBudgetVerdictWithItsReason()
    {
        var stats = new ProductionStats("production", "15", DateTimeOffset.UtcNow, [new TableSize("public.things", 40_000_000, 0), new TableSize("public.other", 5, 0)]);
        var report = await RunAsync("alter-type", [200, 100_000], o => o with { Target = new CostTarget { Stats = stats }, Budget = TimeSpan.FromSeconds(2) });

        var version = report.Versions.Single(v => v.Version == 2);
        Assert.That(version.TargetRows, Is.EqualTo(40_000_000));
        Assert.That(version.Status, Is.EqualTo(CostStatus.OverBudget));
        Assert.That(version.Reasons, Has.Some.Match(@"^`alter column type` rewrites `things` under ACCESS EXCLUSIVE: ~[\d.]+ (s|min|h) at 40 M rows; reads and writes wait meanwhile: use an online migration$"));
        Assert.That(report.HasFindings, Is.True);

        var generous = CostJudge.Judge(version.Measurement, report.Options with { Budget = TimeSpan.FromDays(365) });
        Assert.That((generous.Status, generous.Reasons.Count), Is.EqualTo((CostStatus.Ok, 0)), "the same measurements within a larger budget");
        var small = CostJudge.Judge(version.Measurement, report.Options with { Target = new CostTarget { RowsPerTable = 10 } });
        Assert.That(small.Status, Is.EqualTo(CostStatus.Ok), "and at a small size");
    }

    private static async Task<CostReport> RunAsync(string directory, IReadOnlyList<int> scales, Func<CostOptions, CostOptions>? adjust = null)
    {
        var options = new CostOptions { Schema = SchemaLoader.Load(TestDirectories.Cost(directory)), Scales = scales };
        var engine = new CostEngine(await TestServer.GetAsync(), adjust is null ? options : adjust(options));
        return await engine.RunAsync();
    }
}
