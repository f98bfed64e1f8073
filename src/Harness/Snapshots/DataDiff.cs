namespace Tcdb.Snapshots;

/// <summary>How <see cref="DataDiff"/> compares and reports.</summary>
public sealed record DataDiffOptions
{
    /// <summary>Per qualified table name, columns a version legitimately regenerates (e.g. an etag).</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> IgnoredColumns { get; init; } =
        new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);

    /// <summary>Detailed lines per table and kind (lost, added, changed); the rest are counted in one summary line.</summary>
    public int MaxRowsPerTable { get; init; } = 10;

    /// <summary>Values longer than this are truncated in the report.</summary>
    public int MaxValueLength { get; init; } = 40;
}

/// <summary>What a <see cref="DataDifference"/> reports.</summary>
public enum DataDifferenceKind
{
    RowLost,
    RowAdded,
    RowChanged,
    TableLost,
    TableAdded,
    ColumnsDiffer,

    /// <summary>"and N more rows ..." beyond <see cref="DataDiffOptions.MaxRowsPerTable"/>.</summary>
    MoreRows,
}

/// <summary>One changed value of a changed row (values truncated for display).</summary>
public sealed record ColumnChange(string Column, string? Before, string? After);

/// <summary>
/// One line of a data diff; <see cref="ToString"/> gives the review-comment form. <paramref name="Key"/> is
/// the row's key in the snapshots (for row lines), so a caller can look the row up in a third snapshot.
/// </summary>
public sealed record DataDifference(DataDifferenceKind Kind, string Table, string Detail, IReadOnlyList<ColumnChange> Changes, string? Key = null)
{
    public override string ToString()
    {
        var symbol = Kind switch
        {
            DataDifferenceKind.RowLost or DataDifferenceKind.TableLost => "-",
            DataDifferenceKind.RowAdded or DataDifferenceKind.TableAdded => "+",
            DataDifferenceKind.MoreRows => "...",
            _ => "~",
        };
        var what = Kind is DataDifferenceKind.TableLost or DataDifferenceKind.TableAdded or DataDifferenceKind.ColumnsDiffer ? "table" : "row";
        return Kind == DataDifferenceKind.MoreRows ? $"{symbol} {Table}: {Detail}" : $"{symbol} {what} {Table} {Detail}";
    }
}

/// <summary>
/// Compares two <see cref="DataSnapshot"/>s: rows lost, added and changed per table (changed rows
/// name the columns with old and new values), skipping ignored columns. Rows are decoded only where
/// their hashes differ.
/// </summary>
public static class DataDiff
{
    /// <summary>Compares with per-table ignored columns (qualified table name -> column names).</summary>
    public static IReadOnlyList<DataDifference> Compare(DataSnapshot before, DataSnapshot after, IReadOnlyDictionary<string, IReadOnlyCollection<string>> ignoredColumns) =>
        Compare(before, after, new DataDiffOptions { IgnoredColumns = ignoredColumns });

    public static IReadOnlyList<DataDifference> Compare(DataSnapshot before, DataSnapshot after, DataDiffOptions? options = null)
    {
        options ??= new DataDiffOptions();
        var differences = new List<DataDifference>();
        var names = before.Tables.Select(t => t.Name).Union(after.Tables.Select(t => t.Name)).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var old = before.Find(name);
            var current = after.Find(name);
            if (old is null)
            {
                differences.Add(new DataDifference(DataDifferenceKind.TableAdded, name, $"({current!.RowCount} rows)", []));
            }
            else if (current is null)
            {
                differences.Add(new DataDifference(DataDifferenceKind.TableLost, name, $"({old.RowCount} rows)", []));
            }
            else if (!ReferenceEquals(old, current))
            {
                // The same table object (a snapshot reused it) holds the same rows: nothing to compare.
                CompareTable(old, current, options, differences);
            }
        }

        return differences;
    }

    private static void CompareTable(TableData old, TableData current, DataDiffOptions options, List<DataDifference> differences)
    {
        var ignored = options.IgnoredColumns.GetValueOrDefault(old.Name) ?? [];
        var compared = old.Columns.Intersect(current.Columns, StringComparer.Ordinal).Except(ignored, StringComparer.Ordinal).ToList();
        var onlyBefore = old.Columns.Except(current.Columns, StringComparer.Ordinal).ToList();
        var onlyAfter = current.Columns.Except(old.Columns, StringComparer.Ordinal).ToList();
        if (onlyBefore.Count > 0 || onlyAfter.Count > 0)
        {
            var parts = new List<string>();
            if (onlyBefore.Count > 0)
            {
                parts.Add("columns lost: " + string.Join(", ", onlyBefore));
            }

            if (onlyAfter.Count > 0)
            {
                parts.Add("columns added: " + string.Join(", ", onlyAfter));
            }

            differences.Add(new DataDifference(DataDifferenceKind.ColumnsDiffer, old.Name, string.Join("; ", parts), []));
        }

        var sameShape = onlyBefore.Count == 0 && onlyAfter.Count == 0 && ignored.Count == 0;
        var keyed = old.KeyColumns.Count > 0 && old.KeyColumns.SequenceEqual(current.KeyColumns);
        var oldRows = keyed || sameShape ? old.Rows : Rekey(old, compared);
        var newRows = keyed || sameShape ? current.Rows : Rekey(current, compared);

        var lost = new List<string>();
        var changed = new List<DataDifference>();
        foreach (var (key, row) in oldRows.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!newRows.TryGetValue(key, out var other))
            {
                lost.Add(key);
                continue;
            }

            if (row.Hash == other.Hash && sameShape)
            {
                continue;
            }

            var was = old.Decode(row);
            var now = current.Decode(other);
            var changes = compared.Where(c => was[c] != now[c])
                .Select(c => new ColumnChange(c, Truncate(was[c], options.MaxValueLength), Truncate(now[c], options.MaxValueLength))).ToList();
            if (changes.Count > 0)
            {
                var detail = $"{KeyText(old, key)}: " + string.Join(", ", changes.Select(c => $"{c.Column} {Show(c.Before)} -> {Show(c.After)}"));
                changed.Add(new DataDifference(DataDifferenceKind.RowChanged, old.Name, detail, changes, key));
            }
        }

        var added = newRows.Keys.Where(k => !oldRows.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        Report("lost", lost.Select(k => new DataDifference(DataDifferenceKind.RowLost, old.Name, RowLine(old, k, oldRows[k], compared, options), [], k)));
        Report("added", added.Select(k => new DataDifference(DataDifferenceKind.RowAdded, old.Name, RowLine(current, k, newRows[k], compared, options), [], k)));
        Report("changed", changed);

        void Report(string verb, IEnumerable<DataDifference> lines)
        {
            var count = 0;
            foreach (var line in lines)
            {
                if (++count <= options.MaxRowsPerTable)
                {
                    differences.Add(line);
                }
            }

            if (count > options.MaxRowsPerTable)
            {
                differences.Add(new DataDifference(DataDifferenceKind.MoreRows, old.Name, $"{count - options.MaxRowsPerTable} more rows {verb}", []));
            }
        }
    }

    private static Dictionary<string, TableData.RowRef> Rekey(TableData table, IReadOnlyList<string> columns)
    {
        var rows = new Dictionary<string, TableData.RowRef>(StringComparer.Ordinal);
        foreach (var (key, row) in table.Rows)
        {
            var newKey = key;
            if (table.KeyColumns.Count == 0)
            {
                var values = table.Decode(row);
                var text = string.Join("\u0001", columns.Select(c => values[c] is { } v ? "v" + v : "n"));
                var hash = TableData.HashOf(System.Text.Encoding.UTF8.GetBytes(text));
                var occurrence = 0;
                while (rows.ContainsKey(newKey = $"#{hash:x32}.{occurrence}"))
                {
                    occurrence++;
                }
            }

            rows[newKey] = row;
        }

        return rows;
    }

    private static string RowLine(TableData table, string key, TableData.RowRef row, IReadOnlyList<string> columns, DataDiffOptions options)
    {
        var values = table.Decode(row);
        return $"{KeyText(table, key)}: " + string.Join(", ", columns.Where(values.ContainsKey).Select(c => $"{c}={Show(Truncate(values[c], options.MaxValueLength))}"));
    }

    private static string KeyText(TableData table, string key) =>
        table.KeyColumns.Count == 0 ? "(no primary key)" : $"({string.Join(", ", table.KeyColumns)})={(table.KeyColumns.Count == 1 ? $"({key})" : key)}";

    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max] + "...";

    private static string Show(string? value) => value is null ? "null" : $"'{value}'";
}
