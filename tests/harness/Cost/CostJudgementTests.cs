using Tcdb.Cost;
using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Cost;

/// <summary>The arithmetic of <c>tcdb cost</c> without a server: fits, durations, batch growth, verdicts, stats files.</summary>
[TestFixture]
public sealed class CostJudgementTests
{
    [Test]
    public void FitRecoversALineAndPredictsItsLargestPointExactly()
    {
        var points = new List<(double, double)> { (1_000, 5), (10_000, 32), (100_000, 302) };

        var fit = LinearFit.Through(points);

        Assert.That((fit.Intercept, fit.Slope), Is.EqualTo((2.0, 0.003)).Using<(double, double)>((a, b) => Math.Abs(a.Item1 - b.Item1) < 1e-6 && Math.Abs(a.Item2 - b.Item2) < 1e-9));
        Assert.That(LinearFit.PredictionError(points), Is.EqualTo(0).Within(1e-9));
    }

    [Test]
    public void FitErrorShowsWhenTimeIsNotLinearInRows()
    {
        var quadratic = new List<(double, double)> { (1, 1), (2, 4), (4, 16) };

        Assert.That(LinearFit.PredictionError(quadratic), Is.LessThan(-0.3), "a line through the small scales underestimates the largest");
        Assert.That(LinearFit.PredictionError(quadratic.Take(2).ToList()), Is.Null, "two scales leave nothing to check the fit against");
        Assert.That(LinearFit.Through([(10, 5), (20, 3)]).Slope, Is.Zero, "never faster with more rows");
    }

    [TestCase("500ms", 500)]
    [TestCase("10s", 10_000)]
    [TestCase("5m", 300_000)]
    [TestCase("1.5h", 5_400_000)]
    public void DurationsParse(string text, double milliseconds) =>
        Assert.That(Quantities.ParseDuration(text).TotalMilliseconds, Is.EqualTo(milliseconds));

    [TestCase("10")]
    [TestCase("ten seconds")]
    [TestCase("-1s")]
    public void DurationsWithoutAUnitAreRefused(string text) =>
        Assert.That(() => Quantities.ParseDuration(text), Throws.InstanceOf<FormatException>().With.Message.Contains("e.g. 500ms, 10s, 5m, 2h"));

    [Test]
    public void QuantitiesAreShownShort()
    {
        Assert.That(Quantities.Count(40_000_000), Is.EqualTo("40 M"));
        Assert.That(Quantities.Count(20_000), Is.EqualTo("20 k"));
        Assert.That(Quantities.Duration(TimeSpan.FromHours(3.04)), Is.EqualTo("3.0 h"));
        Assert.That(Quantities.Duration(TimeSpan.FromMilliseconds(42)), Is.EqualTo("42 ms"));
    }

    [Test]
    public void BatchesWithAFlatCostPerItemDoNotGrow()
    {
        var profile = OnlineProfiler.Judge("migration", 50, Batches(40, k => 100, _ => 1), TimeSpan.FromSeconds(1), 3, null);

        Assert.That((profile.Grows, profile.TuplesGrowth, profile.Rows), Is.EqualTo((false, 1.0, 2000L)));
        Assert.That(profile.Points.Select(p => p.Batch), Is.EqualTo(new[] { 1, 11, 21, 31, 40 }));
    }

    [Test]
    public void BatchesThatReadMoreAsTheyProgressGrowEvenAfterExpensiveFirstPlans()
    {
        // The first calls of a PL/pgSQL batch may use other plans: expensive here, then a rescan that grows.
        var profile = OnlineProfiler.Judge("migration", 50, Batches(40, k => k < 6 ? 10_000 : 50 * (k + 1), _ => 1), TimeSpan.FromSeconds(1), 3, null);

        Assert.That(profile.Grows, Is.True);
        Assert.That(profile.TuplesGrowth, Is.GreaterThan(3));
    }

    [Test]
    public void TimePerItemCountsOnlyWhenBatchesAreLongEnoughToTime()
    {
        var slow = OnlineProfiler.Judge("migration", 50, Batches(40, _ => 100, k => 5 + 2 * k), TimeSpan.FromSeconds(1), 3, null);
        var quick = OnlineProfiler.Judge("migration", 50, Batches(40, _ => 100, k => 0.1 + k * 0.1), TimeSpan.FromSeconds(1), 3, null);

        Assert.That((slow.Grows, slow.TimeGrowth > 3), Is.EqualTo((true, true)));
        Assert.That((quick.Grows, quick.TimeGrowth), Is.EqualTo((false, (double?)null)));
    }

    [Test]
    public void RewriteOverBudgetAtProductionSizeSaysWhatWhereAndHowLong()
    {
        // 1 ms per 1000 rows under ACCESS EXCLUSIVE: 40 s at 40 M rows.
        var measurement = Measurement(Table("public.tasks", LockModes.AccessExclusive, rewritten: true), Table("public.queue", "ShareLock", indexes: 1), Table("public.small", "RowExclusiveLock"));
        var options = Options(new CostTarget { Stats = new ProductionStats("prod", "15", DateTimeOffset.UtcNow, [new TableSize("public.tasks", 40_000_000, 0)]) }, TimeSpan.FromSeconds(10));

        var cost = CostJudge.Judge(measurement, options);

        Assert.That(cost.Status, Is.EqualTo(CostStatus.OverBudget));
        Assert.That(cost.TargetRows, Is.EqualTo(40_000_000));
        Assert.That(cost.Reasons[0], Is.EqualTo("`alter column type` rewrites `tasks` under ACCESS EXCLUSIVE: ~40.0 s at 40 M rows; reads and writes wait meanwhile: use an online migration"));
        Assert.That(cost.Reasons[1], Does.StartWith("building an index on `queue` under SHARE: ~40.0 s").And.Contain("; writes wait meanwhile"));
        Assert.That(cost.Locks.Select(l => l.Table), Has.None.EqualTo("public.small"), "ROW EXCLUSIVE blocks neither reads nor writes");
        Assert.That(cost.FitError, Is.EqualTo(0).Within(1e-6));
        Assert.That(cost.Notes, Has.Some.EqualTo("not in the stats file, counted as empty: public.queue, public.small"));

        var within = CostJudge.Judge(measurement, Options(new CostTarget { RowsPerTable = 1_000 }, TimeSpan.FromSeconds(10)));
        Assert.That(within.Status, Is.EqualTo(CostStatus.Ok));
    }

    [Test]
    public void StatsFileRoundTripsAndBadFilesNameTheProblem()
    {
        var dir = Directory.CreateTempSubdirectory("tcdb-stats-").FullName;
        var good = Path.Combine(dir, "stats.json");
        File.WriteAllText(good, new ProductionStats("prod", "15.4", DateTimeOffset.UtcNow, [new TableSize("public.tasks", 40_000_000, 123)]).ToJson());
        var broken = Path.Combine(dir, "broken.json");
        File.WriteAllText(broken, "{\n  \"tables\": [\n    {\"table\": \"tasks\", \"rows\": }\n  ]\n}");
        var bare = Path.Combine(dir, "bare.json");
        File.WriteAllText(bare, """{"tables": [{"table": "tasks", "rows": 1}]}""");
        var missingRows = Path.Combine(dir, "missing.json");
        File.WriteAllText(missingRows, """{"tables": [{"table": "tasks", "rows": 1}, {"table": "queue"}]}""");

        Assert.That(ProductionStats.Load(good).Find("public.tasks")!.Rows, Is.EqualTo(40_000_000));
        Assert.That(ProductionStats.Load(bare).Find("public.tasks")!.Rows, Is.EqualTo(1), "a bare name means schema public");
        Assert.That(() => ProductionStats.Load(broken), Throws.InstanceOf<StatsFileException>().With.Message.StartsWith(broken + ":3: not valid JSON"));
        Assert.That(() => ProductionStats.Load(missingRows), Throws.InstanceOf<StatsFileException>().With.Message.EqualTo(missingRows + ": tables[1] (queue): \"rows\" is missing"));
        Assert.That(() => ProductionStats.Load(Path.Combine(dir, "none.json")), Throws.InstanceOf<StatsFileException>().With.Message.Contains("none.json: cannot read the stats file"));
    }

    private static List<BatchSample> Batches(int count, Func<int, double> tuplesPerItem, Func<int, double> milliseconds) =>
        Enumerable.Range(0, count).Select(k => new BatchSample(k + 1, k * 50L, 50, (long)(tuplesPerItem(k) * 50), TimeSpan.FromMilliseconds(milliseconds(k))))
            .Append(new BatchSample(count + 1, count * 50L, 0, 1, TimeSpan.FromMilliseconds(0.1))).ToList();

    private static CostOptions Options(CostTarget target, TimeSpan budget) => new()
    {
        Schema = new DbSchema([], [], new Dictionary<string, IReadOnlyDictionary<string, string>>()),
        Target = target,
        Budget = budget,
    };

    private static Func<long, TableCost> Table(string name, string mode, bool rewritten = false, int indexes = 0) => rows =>
        new TableCost(name, mode, TimeSpan.FromMilliseconds(rows / 1000.0), TimeSpan.Zero, rows, rewritten, rewritten ? "alter column type" : null, indexes, 1, rows);

    private static VersionMeasurement Measurement(params Func<long, TableCost>[] tables)
    {
        var scales = new[] { 1_000, 10_000, 100_000 }.Select(rows =>
        {
            var costs = tables.Select(t => t(rows)).ToList();
            var transaction = new TransactionCost(TimeSpan.FromMilliseconds(rows / 1000.0), costs, null);
            return new ScaleCost(rows, rows, rows * 100, transaction, transaction, null, null, null);
        }).ToList();
        return new VersionMeasurement(2, "synthetic", tables.Select(t => t(1).Table).ToList(), scales, null);
    }
}
