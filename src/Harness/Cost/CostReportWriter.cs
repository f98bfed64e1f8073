using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tcdb.Reporting;

namespace Tcdb.Cost;

/// <summary>
/// Shows a <see cref="CostReport"/>: a table per version on the terminal, JSON, or Markdown with an SVG chart of
/// the estimated lock time per version written beside it.
/// </summary>
public static class CostReportWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };


    public static IReadOnlyList<string> SupportedExtensions { get; } = [".json", ".md"];

    /// <summary>Writes the report to <paramref name="path"/> (.json or .md; a .md gets <c>NAME.svg</c> beside it). Returns the files written.</summary>
    public static IReadOnlyList<string> Write(CostReport report, string path)
    {
        if (Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            ReportFiles.Write(path, Json(report));
            return [path];
        }

        var chart = Path.ChangeExtension(path, ".svg");
        ReportFiles.Write(chart, Svg(report));
        ReportFiles.Write(path, Markdown(report, Path.GetFileName(chart)));
        return [path, chart];
    }

    /// <summary>The terminal form: per version a small table of scales, locks and estimates, then the verdict.</summary>
    public static string Text(CostReport report)
    {
        var text = new StringBuilder();
        foreach (var version in report.Versions)
        {
            text.Append(Invariant($"v{version.Version:D4} {version.Measurement.Description} -- {Status(version.Status)}\n"));
            foreach (var row in Rows(version, report.Options))
            {
                text.Append("  ").Append(row.Label.PadRight(44)).Append(string.Join(string.Empty, row.Cells.Select(c => c.PadLeft(10)))).Append('\n');
            }

            foreach (var line in Details(version))
            {
                text.Append("  ").Append(line).Append('\n');
            }

            text.Append('\n');
        }

        var over = report.Versions.Count(v => v.Status == CostStatus.OverBudget);
        var defects = report.Versions.Count(v => v.Status == CostStatus.Defect);
        var unmeasured = report.Versions.Count(v => v.Status == CostStatus.Unmeasured);
        text.Append(
            Invariant($"{(report.HasFindings ? "FAILED" : "passed")}: {report.Versions.Count} version(s) measured at {Scales(report.Options)} rows per touched table") +
            Invariant($"{(report.Options.Target is { } t ? $", estimated at {t}" : string.Empty)}{(report.Options.Budget is { } b ? $", budget {Quantities.Duration(b)}" : string.Empty)}: ") +
            Invariant($"{over} over budget, {defects} defect(s), {unmeasured} unmeasured in {report.Elapsed.TotalSeconds:0.0} s\n"));
        return text.ToString();
    }

    public static string Json(CostReport report) => JsonSerializer.Serialize(
        new
        {
            server = report.Server,
            versions = new { from = report.FromVersion, to = report.ToVersion },
            scales = report.Options.Scales,
            target = report.Options.Target?.ToString(),
            budgetSeconds = report.Options.Budget?.TotalSeconds,
            elapsedSeconds = Math.Round(report.Elapsed.TotalSeconds, 3),
            findings = report.HasFindings,
            results = report.Versions.Select(v => new
            {
                version = v.Version,
                description = v.Measurement.Description,
                status = v.Status.Id(),
                reasons = v.Reasons,
                notes = v.Notes,
                touchedTables = v.Measurement.TouchedTables,
                targetRows = v.TargetRows,
                upgradeSeconds = v.UpgradeTime?.TotalSeconds,
                downgradeSeconds = v.DowngradeTime?.TotalSeconds,
                fitError = v.FitError,
                heaviestLockSeconds = v.HeaviestLock.TotalSeconds,
                locks = v.Locks.Select(l => new { direction = Id(l.Direction), table = l.Table, mode = l.Mode, seconds = l.Estimated.TotalSeconds, cause = l.Cause }),
                online = v.Online.Select(o => new { direction = Id(o.Direction), seconds = o.Estimated.TotalSeconds, rowsPerSecond = Math.Round(o.RowsPerSecond, 1) }),
                measured = v.Measurement.Scales.Select(s => new
                {
                    rowsPerTable = s.RowsPerTable,
                    touchedRows = s.TouchedRows,
                    touchedBytes = s.TouchedBytes,
                    problem = s.Problem,
                    upgrade = TransactionJson(s.Upgrade),
                    downgrade = TransactionJson(s.Downgrade),
                    onlineMigration = OnlineJson(s.OnlineMigration),
                    onlineDowngrade = OnlineJson(s.OnlineDowngrade),
                }),
            }),
        },
        Indented);

    public static string Markdown(CostReport report, string? chartFile = null)
    {
        var md = new StringBuilder();
        md.Append(Invariant($"# tcdb cost: versions {report.FromVersion}..{report.ToVersion}\n\n"));
        md.Append(Invariant($"{(report.HasFindings ? "**FAILED**" : "**passed**")} on {report.Server}; measured at {Scales(report.Options)} rows per touched table"));
        md.Append(report.Options.Target is { } t ? Invariant($", estimated at {t}") : string.Empty);
        md.Append(report.Options.Budget is { } b ? Invariant($", budget {Quantities.Duration(b)}") : string.Empty);
        md.Append(".\n\n");
        if (chartFile is not null)
        {
            md.Append(Invariant($"![estimated time of the heaviest lock per version]({chartFile})\n\n"));
        }

        md.Append("| version | verdict | heaviest lock | upgrade | downgrade | online | reason |\n|---|---|---|---|---|---|---|\n");
        foreach (var v in report.Versions)
        {
            md.Append(
                Invariant($"| {v.Version} | {Status(v.Status)} | {(v.Locks.Count > 0 ? Quantities.Duration(v.HeaviestLock) : "-")} | {Duration(v.UpgradeTime)} | {Duration(v.DowngradeTime)} | ") +
                Invariant($"{(v.Online.Count > 0 ? string.Join(", ", v.Online.Select(o => Quantities.Duration(o.Estimated))) : "-")} | {ReportFiles.MarkdownCell(v.Reasons.Count > 0 ? v.Reasons[0] : v.Notes.Count > 0 ? v.Notes[0] : string.Empty)} |\n"));
        }

        foreach (var v in report.Versions.Where(v => v.Measurement.Scales.Count > 0 || v.Reasons.Count > 0))
        {
            md.Append(Invariant($"\n## v{v.Version:D4} {ReportFiles.MarkdownCell(v.Measurement.Description)}: {Status(v.Status)}\n\n"));
            var rows = Rows(v, report.Options);
            if (rows.Count > 0)
            {
                md.Append("| | ").Append(string.Join(" | ", rows[0].Cells)).Append(" |\n|---|").Append(string.Concat(rows[0].Cells.Select(_ => "---|"))).Append('\n');
                foreach (var row in rows.Skip(1))
                {
                    md.Append("| ").Append(ReportFiles.MarkdownCell(row.Label)).Append(" | ").Append(string.Join(" | ", row.Cells)).Append(" |\n");
                }

                md.Append('\n');
            }

            foreach (var line in Details(v))
            {
                md.Append("- ").Append(line).Append('\n');
            }
        }

        return md.ToString();
    }

    /// <summary>A horizontal bar per version: the estimated hold time of its heaviest blocking lock, on a log scale, with the budget.</summary>
    public static string Svg(CostReport report)
    {
        const int left = 70, width = 520, bar = 18, gap = 6, top = 30;
        var versions = report.Versions;
        var height = top + versions.Count * (bar + gap) + 30;
        var maxMs = Math.Max(versions.Select(v => v.HeaviestLock.TotalMilliseconds).DefaultIfEmpty(1).Max(), report.Options.Budget?.TotalMilliseconds ?? 1);
        var decades = Math.Max(1, Math.Ceiling(Math.Log10(Math.Max(maxMs, 10))));
        double X(double ms) => left + width * Math.Clamp(Math.Log10(Math.Max(ms, 1)) / decades, 0, 1);
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + width + 120}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Invariant($"<text x=\"{left}\" y=\"16\">estimated time the heaviest lock is held{(report.Options.Target is { } t ? $" at {WebUtility.HtmlEncode(t.ToString())}" : string.Empty)} (log scale)</text>\n"));
        for (var d = 0; d <= decades; d++)
        {
            var x = X(Math.Pow(10, d));
            svg.Append(Invariant($"<line x1=\"{x:0.#}\" y1=\"{top - 4}\" x2=\"{x:0.#}\" y2=\"{height - 24}\" stroke=\"#ddd\"/>"));
            svg.Append(Invariant($"<text x=\"{x:0.#}\" y=\"{height - 10}\" text-anchor=\"middle\" fill=\"#666\">{Quantities.Duration(TimeSpan.FromMilliseconds(Math.Pow(10, d)))}</text>\n"));
        }

        for (var i = 0; i < versions.Count; i++)
        {
            var v = versions[i];
            var y = top + i * (bar + gap);
            var colour = v.Status switch { CostStatus.OverBudget or CostStatus.Defect => "#c0392b", CostStatus.Unmeasured => "#999", _ => "#2e86c1" };
            var end = v.Locks.Count > 0 ? X(v.HeaviestLock.TotalMilliseconds) : left;
            svg.Append(Invariant($"<text x=\"{left - 6}\" y=\"{y + 13}\" text-anchor=\"end\">v{v.Version:D4}</text>"));
            svg.Append(Invariant($"<rect x=\"{left}\" y=\"{y}\" width=\"{Math.Max(end - left, 1):0.#}\" height=\"{bar}\" fill=\"{colour}\"/>"));
            svg.Append(Invariant($"<text x=\"{end + 4:0.#}\" y=\"{y + 13}\">{(v.Locks.Count > 0 ? Quantities.Duration(v.HeaviestLock) : v.Status.Id())}</text>\n"));
        }

        if (report.Options.Budget is { } budget)
        {
            var x = X(budget.TotalMilliseconds);
            svg.Append(Invariant($"<line x1=\"{x:0.#}\" y1=\"{top - 8}\" x2=\"{x:0.#}\" y2=\"{height - 24}\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>"));
            svg.Append(Invariant($"<text x=\"{x + 3:0.#}\" y=\"{top - 10}\" fill=\"#c0392b\">budget {Quantities.Duration(budget)}</text>\n"));
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private sealed record Row(string Label, IReadOnlyList<string> Cells);

    /// <summary>The header row (scales, then the target) and one row per transaction time and per locked table.</summary>
    private static List<Row> Rows(VersionCost version, CostOptions options)
    {
        var scales = version.Measurement.Scales;
        if (scales.Count == 0)
        {
            return [];
        }

        var target = version.TargetRows is { } rows ? $"@{Quantities.Count(rows)}" : "judged";
        var rowsList = new List<Row> { new("rows per touched table", [.. scales.Select(s => Quantities.Count(s.RowsPerTable)), target]) };
        foreach (var direction in new[] { CostDirection.Upgrade, CostDirection.Downgrade })
        {
            var estimate = direction == CostDirection.Upgrade ? version.UpgradeTime : version.DowngradeTime;
            rowsList.Add(new Row($"{Id(direction)} time", [.. scales.Select(s => Duration(s.Of(direction)?.Duration)), Duration(estimate)]));
            var tables = scales.Select(s => s.Of(direction)).OfType<TransactionCost>().LastOrDefault()?.Tables ?? [];
            foreach (var table in tables)
            {
                var lockEstimate = version.Locks.FirstOrDefault(l => l.Direction == direction && l.Table == table.Table);
                rowsList.Add(new Row(
                    $"  {CostJudge.Short(table.Table)}: {LockModes.Display(table.Mode)}{Flags(table)}",
                    [.. scales.Select(s => Duration(s.Of(direction)?.Tables.FirstOrDefault(t => t.Table == table.Table)?.Held)), lockEstimate is null ? "-" : Duration(lockEstimate.Estimated)]));
            }
        }

        return rowsList;
    }

    /// <summary>Online profiles, the ACCESS EXCLUSIVE summary, the lock probe, reasons and notes of a version, one line each.</summary>
    private static List<string> Details(VersionCost version)
    {
        var lines = new List<string>();
        var largest = version.Measurement.Scales.LastOrDefault(s => s.Upgrade is not null);
        if (largest is not null)
        {
            foreach (var direction in new[] { CostDirection.Upgrade, CostDirection.Downgrade })
            {
                if (largest.Of(direction) is { } cost && cost.FirstExclusive is { } first)
                {
                    lines.Add(
                        Invariant($"{Id(direction)}: ACCESS EXCLUSIVE on {cost.ExclusiveTables.Count} table(s) at once ({string.Join(", ", cost.ExclusiveTables.Select(t => CostJudge.Short(t.Table)))}); ") +
                        Invariant($"the first, {CostJudge.Short(first.Table)}, is held {Quantities.Duration(first.Held)} at {Quantities.Count(largest.RowsPerTable)} rows"));
                }

                if (largest.Of(direction)?.Probe is { } probe)
                {
                    lines.Add(Invariant($"{Id(direction)}: lock probe on {CostJudge.Short(probe.Table)} ({LockModes.Display(probe.Mode)}): a read waited {Quantities.Duration(probe.ReadWaited)}, a write {Quantities.Duration(probe.WriteWaited)}"));
                }

                if (largest.OnlineOf(direction) is { } online)
                {
                    var estimate = version.Online.FirstOrDefault(o => o.Direction == direction);
                    lines.Add(
                        Invariant($"online {online.Kind}: {online.Rows} items in batches of {online.BatchSize} at {online.RowsPerSecond:0} items/s; tuples read per item at start, 1/4, 1/2, 3/4, end: ") +
                        Invariant($"{string.Join(" / ", online.Points.Select(p => p.TuplesPerRow.ToString("0.#", CultureInfo.InvariantCulture)))} ") +
                        Invariant($"({(online.Grows ? "GROWS" : "flat")}, x{online.TuplesGrowth:0.#}){(estimate is null ? string.Empty : $"; ~{Quantities.Duration(estimate.Estimated)} at {(version.TargetRows is { } r ? Quantities.Count(r) : Quantities.Count(online.Rows))} items")}"));
                }
            }
        }

        if (version.FitError is { } error)
        {
            lines.Add(Invariant($"fit: upgrade time against rows predicts the largest scale from the smaller ones within {error * 100:+0;-0}%"));
        }

        lines.AddRange(version.Reasons.Select(r => $"{(version.Status == CostStatus.Defect ? "DEFECT" : "OVER BUDGET")}: {r}"));
        lines.AddRange(version.Notes.Select(n => $"note: {n}"));
        return lines;
    }

    private static string Flags(TableCost table)
    {
        var flags = new List<string>();
        if (table.Rewritten)
        {
            flags.Add(table.RewriteReason is { } reason ? $"rewrite ({reason})" : "rewrite");
        }

        if (table.IndexesBuilt > 0)
        {
            flags.Add($"{table.IndexesBuilt} index build(s)");
        }

        if (table.FullScan)
        {
            flags.Add("full scan");
        }

        flags.Add(table.BlocksReads ? "blocks reads+writes" : table.BlocksWrites ? "blocks writes" : "blocks no DML");
        return ", " + string.Join(", ", flags);
    }

    private static object? TransactionJson(TransactionCost? cost) => cost is null ? null : new
    {
        seconds = cost.Duration.TotalSeconds,
        accessExclusiveAtOnce = cost.ExclusiveTables.Count,
        firstExclusive = cost.FirstExclusive is { } f ? new { table = f.Table, heldSeconds = f.Held.TotalSeconds } : null,
        probe = cost.Probe is { } p ? new { table = p.Table, mode = p.Mode, readWaitedSeconds = p.ReadWaited.TotalSeconds, writeWaitedSeconds = p.WriteWaited.TotalSeconds } : null,
        tables = cost.Tables.Select(t => new
        {
            table = t.Table,
            mode = t.Mode,
            heldSeconds = t.Held.TotalSeconds,
            acquiredAfterSeconds = t.AcquiredAfter.TotalSeconds,
            blocksReads = t.BlocksReads,
            blocksWrites = t.BlocksWrites,
            rowsBefore = t.RowsBefore,
            rewritten = t.Rewritten,
            rewriteReason = t.RewriteReason,
            indexesBuilt = t.IndexesBuilt,
            seqScans = t.SeqScans,
            tuplesRead = t.TuplesRead,
            fullScan = t.FullScan,
        }),
    };

    private static object? OnlineJson(OnlineProfile? online) => online is null ? null : new
    {
        kind = online.Kind,
        batchSize = online.BatchSize,
        rows = online.Rows,
        seconds = online.Elapsed.TotalSeconds,
        rowsPerSecond = Math.Round(online.RowsPerSecond, 1),
        tuplesGrowth = Math.Round(online.TuplesGrowth, 2),
        timeGrowth = online.TimeGrowth is { } g ? Math.Round(g, 2) : (double?)null,
        grows = online.Grows,
        problem = online.Problem,
        points = online.Points.Select(p => new { batch = p.Batch, rowsBefore = p.RowsBefore, count = p.Count, tuplesRead = p.TuplesRead, milliseconds = Math.Round(p.Elapsed.TotalMilliseconds, 3) }),
    };

    private static string Scales(CostOptions options) => string.Join(" / ", options.Scales.Order().Select(s => Quantities.Count(s)));

    private static string Duration(TimeSpan? duration) => duration is { } d ? Quantities.Duration(d) : "-";

    private static string Status(CostStatus status) => status switch
    {
        CostStatus.OverBudget => "OVER BUDGET",
        CostStatus.Defect => "DEFECT",
        CostStatus.Unmeasured => "unmeasured",
        _ => "ok",
    };

    private static string Id(CostDirection direction) => direction == CostDirection.Upgrade ? "upgrade" : "downgrade";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
