using System.Globalization;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// Values that differ between two snapshots of what should be the same rows, because the step that made
/// them generates values (a volatile default such as <c>gen_random_uuid()</c> or <c>now()</c>, a sequence,
/// a data migration that computes them): per table the columns whose values differed, and the tables
/// whose rows came back under other keys (a generated key), where only the row count can be compared.
/// </summary>
internal sealed record GeneratedValues(
    IReadOnlyDictionary<string, IReadOnlyCollection<string>> Columns,
    IReadOnlySet<string> RekeyedTables)
{
    public static GeneratedValues None { get; } = new(new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

    /// <summary>What differs between <paramref name="first"/> and <paramref name="second"/>, both made by the same step from the same rows.</summary>
    public static GeneratedValues Between(DataSnapshot first, DataSnapshot second)
    {
        var columns = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var lost = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var difference in DataDiff.Compare(first, second, new DataDiffOptions { MaxRowsPerTable = int.MaxValue }))
        {
            switch (difference.Kind)
            {
                case DataDifferenceKind.RowChanged:
                    var set = columns.TryGetValue(difference.Table, out var existing) ? existing : columns[difference.Table] = new HashSet<string>(StringComparer.Ordinal);
                    set.UnionWith(difference.Changes.Select(c => c.Column));
                    break;
                case DataDifferenceKind.RowLost:
                    lost[difference.Table] = lost.GetValueOrDefault(difference.Table) + 1;
                    break;
                case DataDifferenceKind.RowAdded:
                    added[difference.Table] = added.GetValueOrDefault(difference.Table) + 1;
                    break;
            }
        }

        // Rows that came back under other keys, as many as went: the key itself is generated.
        var rekeyed = lost.Where(l => added.GetValueOrDefault(l.Key) == l.Value).Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        return new GeneratedValues(columns.ToDictionary(c => c.Key, c => (IReadOnlyCollection<string>)c.Value, StringComparer.Ordinal), rekeyed);
    }

    public bool IsEmpty => Columns.Count == 0 && RekeyedTables.Count == 0;

    /// <summary>These columns together with <paramref name="ignored"/>, per table.</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> IgnoredWith(IReadOnlyDictionary<string, IReadOnlyCollection<string>> ignored)
    {
        var merged = new Dictionary<string, IReadOnlyCollection<string>>(ignored, StringComparer.Ordinal);
        foreach (var (table, columns) in Columns)
        {
            merged[table] = (merged.GetValueOrDefault(table) ?? []).Union(columns, StringComparer.Ordinal).ToList();
        }

        return merged;
    }
}

/// <summary>One table's verdict on a data comparison: what happened to how many rows, with a few examples.</summary>
internal sealed record TableDataVerdict(string Table, string Summary, IReadOnlyList<string> Examples)
{
    public string Describe(string prefix) =>
        $"{prefix}{Summary}" + (Examples.Count == 0 ? string.Empty : "; e.g. " + string.Join("; ", Examples));
}

/// <summary>
/// How a version's data is judged. The downgrade must not lose what the database held at N: the rows after
/// the upgrade (S1) must come back after downgrade and re-upgrade (S3), apart from values the upgrade
/// generates itself. What the downgrade cannot bring back because the upgrade discarded it (a table or
/// column gone at N, rows the upgrade deleted, values it rewrote) is expected: the S0 / S2 differences it
/// explains are reported as discarded, never as a defect; the others are defects.
/// </summary>
internal static class DataVerdicts
{
    private const int Examples = 3;

    /// <summary>Per table, the rows of <paramref name="atN"/> that <paramref name="afterReupgrade"/> lost, gained or altered.</summary>
    public static IReadOnlyList<TableDataVerdict> Survival(
        DataSnapshot atN,
        DataSnapshot afterReupgrade,
        GeneratedValues generated,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> ignored)
    {
        var verdicts = new List<TableDataVerdict>();
        foreach (var group in RowDifferences(atN, afterReupgrade, generated.IgnoredWith(ignored)).GroupBy(d => d.Table))
        {
            if (generated.RekeyedTables.Contains(group.Key))
            {
                // Keys are generated: only the number of rows can be held against the downgrade.
                var before = atN.Find(group.Key)?.RowCount ?? 0;
                var after = afterReupgrade.Find(group.Key)?.RowCount ?? 0;
                if (before != after)
                {
                    verdicts.Add(new TableDataVerdict(group.Key, $"{before} rows at N, {after} after the downgrade and re-upgrade (its keys are generated, so rows are counted, not matched)", []));
                }

                continue;
            }

            verdicts.Add(new TableDataVerdict(group.Key, Count(group), group.Take(Examples).Select(d => d.ToString()).ToList()));
        }

        return verdicts;
    }

    /// <summary>
    /// The differences between the rows before the upgrade (<paramref name="before"/>, S0) and after the
    /// downgrade (<paramref name="afterDowngrade"/>, S2), split into those the upgrade explains (their table,
    /// column or row is gone at N, or N holds another value) and those it does not.
    /// </summary>
    public static (IReadOnlyList<TableDataVerdict> Discarded, IReadOnlyList<TableDataVerdict> Unexplained) Downgrade(
        DataSnapshot before,
        DataSnapshot atN,
        DataSnapshot afterDowngrade,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> ignored)
    {
        var discarded = new List<TableDataVerdict>();
        var unexplained = new List<TableDataVerdict>();
        foreach (var group in RowDifferences(before, afterDowngrade, ignored).GroupBy(d => d.Table))
        {
            var table = group.Key;
            var old = before.Find(table);
            var current = atN.Find(table);
            if (current is null)
            {
                discarded.Add(new TableDataVerdict(table, $"table {table} is gone at N, so the downgrade cannot restore it: {Count(group)}", group.Take(Examples).Select(d => d.ToString()).ToList()));
                continue;
            }

            // Rows can be looked up at N only when N keys the table the same way.
            var comparable = old is not null && old.KeyColumns.Count > 0 && old.KeyColumns.SequenceEqual(current.KeyColumns);
            var reasons = new SortedSet<string>(StringComparer.Ordinal);
            var bad = new List<DataDifference>();
            foreach (var difference in group)
            {
                if (!comparable || difference.Key is null)
                {
                    reasons.Add($"the upgrade restructures {table}");
                    continue;
                }

                var rowAtN = current.Rows.TryGetValue(difference.Key, out var reference) ? current.Decode(reference) : null;
                switch (difference.Kind)
                {
                    case DataDifferenceKind.RowLost when rowAtN is null:
                        reasons.Add("the upgrade deletes rows");
                        break;
                    case DataDifferenceKind.RowAdded when rowAtN is not null:
                        reasons.Add("the downgrade keeps rows the upgrade added");
                        break;
                    case DataDifferenceKind.RowChanged when rowAtN is null:
                        reasons.Add("the upgrade deletes rows");
                        break;
                    case DataDifferenceKind.RowChanged:
                        var wasAtPrevious = old!.Decode(old.Rows[difference.Key]);
                        var unexplainedChanges = difference.Changes.Where(c =>
                            rowAtN.TryGetValue(c.Column, out var valueAtN) && valueAtN == wasAtPrevious[c.Column]).ToList();
                        foreach (var change in difference.Changes.Except(unexplainedChanges))
                        {
                            reasons.Add(rowAtN.ContainsKey(change.Column)
                                ? $"the upgrade rewrites {change.Column}"
                                : $"column {change.Column} is gone at N");
                        }

                        if (unexplainedChanges.Count > 0)
                        {
                            bad.Add(difference with { Changes = unexplainedChanges });
                        }

                        break;
                    default:
                        bad.Add(difference);
                        break;
                }
            }

            var explainedCount = group.Count() - bad.Count;
            if (reasons.Count > 0 && explainedCount > 0)
            {
                discarded.Add(new TableDataVerdict(table, $"{explainedCount} row(s) differ because {string.Join(", ", reasons)}", group.Except(bad).Take(Examples).Select(d => d.ToString()).ToList()));
            }

            if (bad.Count > 0)
            {
                unexplained.Add(new TableDataVerdict(table, $"{Count(bad)} that were as before at N", bad.Take(Examples).Select(d => d.ToString()).ToList()));
            }
        }

        return (discarded, unexplained);
    }

    private static IEnumerable<DataDifference> RowDifferences(DataSnapshot expected, DataSnapshot actual, IReadOnlyDictionary<string, IReadOnlyCollection<string>> ignored) =>
        // Tables and columns that appear or disappear are the catalog comparison's findings.
        DataDiff.Compare(expected, actual, new DataDiffOptions { IgnoredColumns = ignored, MaxRowsPerTable = int.MaxValue })
            .Where(d => d.Kind is DataDifferenceKind.RowLost or DataDifferenceKind.RowAdded or DataDifferenceKind.RowChanged);

    private static string Count(IEnumerable<DataDifference> differences)
    {
        var byKind = differences.GroupBy(d => d.Kind).ToDictionary(g => g.Key, g => g.ToList());
        var parts = new List<string>();
        if (byKind.TryGetValue(DataDifferenceKind.RowLost, out var lost))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{lost.Count} row(s) lost"));
        }

        if (byKind.TryGetValue(DataDifferenceKind.RowAdded, out var added))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{added.Count} row(s) added"));
        }

        if (byKind.TryGetValue(DataDifferenceKind.RowChanged, out var changed))
        {
            var columns = changed.SelectMany(d => d.Changes.Select(c => c.Column)).GroupBy(c => c, StringComparer.Ordinal)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} in {g.Count()}"));
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{changed.Count} row(s) changed ({string.Join(", ", columns)})"));
        }

        return string.Join(", ", parts);
    }
}
