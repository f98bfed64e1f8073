using System.Globalization;

namespace Tcdb.Cost;

/// <summary>
/// Turns a version's measurements into estimates at the target size and a verdict: each blocking lock's hold
/// time is fitted against the rows of the touched tables (<see cref="LinearFit"/>) and compared with the budget;
/// an online migration whose batches get dearer, or a version PostgreSQL cannot run in a transaction, is a defect.
/// </summary>
public static class CostJudge
{
    public static VersionCost Judge(VersionMeasurement measurement, CostOptions options)
    {
        if (measurement.CannotRunInTransaction)
        {
            return Verdict(measurement, CostStatus.Defect, [measurement.Problem!], []);
        }

        if (measurement.Problem is not null)
        {
            return Verdict(measurement, CostStatus.Unmeasured, [], [measurement.Problem]);
        }

        var notes = measurement.Scales.Where(s => s.Problem is not null)
            .Select(s => $"{Quantities.Count(s.RowsPerTable)} rows per table: {s.Problem}").ToList();
        if (measurement.TouchedTables.Count == 0)
        {
            return Verdict(measurement, CostStatus.Ok, [], ["touches no existing table: its cost does not grow with the data"]);
        }

        var measured = measurement.Scales.Where(s => s.Problem is null && s.Upgrade is not null).OrderBy(s => s.RowsPerTable).ToList();
        if (measured.Count == 0)
        {
            return Verdict(measurement, CostStatus.Unmeasured, [], notes);
        }

        var largest = measured[^1];
        long? targetRows = null;
        if (options.Target is { } target)
        {
            var (rows, unknown) = target.RowsOf(measurement.TouchedTables);
            targetRows = rows;
            if (unknown.Count > 0)
            {
                notes.Add($"not in the stats file, counted as empty: {string.Join(", ", unknown)}");
            }
        }

        var x = (double)(targetRows ?? largest.TouchedRows);
        TimeSpan Estimate(IReadOnlyList<(double X, double Y)> points) => TimeSpan.FromMilliseconds(
            targetRows is null ? points[^1].Y : LinearFit.Through(points).Predict(x));

        var upgradePoints = measured.Select(s => ((double)s.TouchedRows, s.Upgrade!.Duration.TotalMilliseconds)).ToList();
        var downgradePoints = measured.Where(s => s.Downgrade is not null).Select(s => ((double)s.TouchedRows, s.Downgrade!.Duration.TotalMilliseconds)).ToList();
        var locks = new List<LockEstimate>();
        foreach (var direction in new[] { CostDirection.Upgrade, CostDirection.Downgrade })
        {
            foreach (var table in largest.Of(direction)?.Tables.Where(t => t.BlocksWrites) ?? [])
            {
                var points = measured
                    .Select(s => (s.TouchedRows, Lock: s.Of(direction)?.Tables.FirstOrDefault(t => t.Table == table.Table && t.Mode == table.Mode)))
                    .Where(p => p.Lock is not null)
                    .Select(p => ((double)p.TouchedRows, p.Lock!.Held.TotalMilliseconds)).ToList();
                locks.Add(new LockEstimate(direction, table.Table, table.Mode, Estimate(points), Cause(table)));
            }
        }

        locks = locks.OrderByDescending(l => l.Estimated).ToList();
        var defects = new List<string>();
        var online = new List<OnlineEstimate>();
        foreach (var direction in new[] { CostDirection.Upgrade, CostDirection.Downgrade })
        {
            if (largest.OnlineOf(direction) is not { } profile)
            {
                continue;
            }

            if (profile.Grows)
            {
                defects.Add(GrowthReason(profile));
            }

            if (profile.RowsPerSecond > 0)
            {
                var items = targetRows ?? profile.Rows;
                var seconds = items / profile.RowsPerSecond * (profile.Grows ? (double)items / Math.Max(profile.Rows, 1) : 1);
                online.Add(new OnlineEstimate(direction, TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2)), profile.RowsPerSecond));
            }
        }

        var overBudget = options.Budget is { } budget
            ? locks.Where(l => l.Estimated > budget).Select(l => BudgetReason(l, x)).ToList()
            : [];
        var status = defects.Count > 0 ? CostStatus.Defect : overBudget.Count > 0 ? CostStatus.OverBudget : CostStatus.Ok;
        return new VersionCost(
            measurement,
            targetRows,
            locks,
            Estimate(upgradePoints),
            downgradePoints.Count > 0 ? Estimate(downgradePoints) : null,
            LinearFit.PredictionError(upgradePoints),
            online,
            status,
            [.. defects, .. overBudget],
            notes);
    }

    /// <summary>A table name without the <c>public.</c> most Taskcluster tables have.</summary>
    public static string Short(string table) => table.StartsWith("public.", StringComparison.Ordinal) ? table["public.".Length..] : table;

    private static string Cause(TableCost table) => table switch
    {
        { Rewritten: true, RewriteReason: { } reason } => $"`{reason}` rewrites `{Short(table.Table)}`",
        { Rewritten: true } => $"rewriting `{Short(table.Table)}`",
        { IndexesBuilt: > 0 } => $"building {(table.IndexesBuilt == 1 ? "an index" : $"{table.IndexesBuilt} indexes")} on `{Short(table.Table)}`",
        { FullScan: true } => $"a full scan of `{Short(table.Table)}`",
        _ => $"holding `{Short(table.Table)}`",
    };

    private static string BudgetReason(LockEstimate estimate, double rows) => string.Create(
        CultureInfo.InvariantCulture,
        $"{estimate.Cause} under {LockModes.Display(estimate.Mode)}{(estimate.Direction == CostDirection.Downgrade ? " (downgrade)" : string.Empty)}: " +
        $"~{Quantities.Duration(estimate.Estimated)} at {Quantities.Count(rows)} rows; " +
        $"{(LockModes.BlocksReads(estimate.Mode) ? "reads and writes" : "writes")} wait meanwhile: use an online migration");

    private static string GrowthReason(OnlineProfile profile)
    {
        var points = string.Join(", ", profile.Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.TuplesPerRow:0.#}")));
        var growth = profile.TimeGrowth is { } time && time > profile.TuplesGrowth ? $"time per item rose {time:0.#}x" : $"tuples read per item rose {profile.TuplesGrowth:0.#}x";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"online {profile.Kind}: each batch costs more than the one before: {growth} from the first batches to the last " +
            $"(tuples per item at start, 1/4, 1/2, 3/4, end: {points}); the batch rescans from the start instead of keeping its position, " +
            $"which makes the online {profile.Kind} quadratic: keep the last key in the batch state and continue from it");
    }

    private static VersionCost Verdict(VersionMeasurement measurement, CostStatus status, IReadOnlyList<string> reasons, IReadOnlyList<string> notes) =>
        new(measurement, null, [], null, null, null, [], status, reasons, notes);
}
