namespace Tcdb.Snapshots;

/// <summary>Which differences <see cref="CatalogDiff.Compare"/> reports.</summary>
public sealed record CatalogDiffOptions
{
    /// <summary>Origins whose objects are compared (default: all, so harness changes are visible).</summary>
    public IReadOnlySet<ObjectOrigin> Origins { get; init; } = new HashSet<ObjectOrigin> { ObjectOrigin.Schema, ObjectOrigin.Harness, ObjectOrigin.Extension };

    /// <summary>Property values longer than this (or multi-line) are reported as "changed" with the first differing line.</summary>
    public int MaxValueLength { get; init; } = 80;
}

/// <summary>
/// Compares two <see cref="CatalogSnapshot"/>s: objects are matched by kind and qualified name
/// (columns by name, never by position), one <see cref="CatalogDifference"/> per added or removed
/// object and per changed property, plus notes for columns whose order changed.
/// </summary>
public static class CatalogDiff
{
    public static IReadOnlyList<CatalogDifference> Compare(CatalogSnapshot before, CatalogSnapshot after, CatalogDiffOptions? options = null)
    {
        options ??= new CatalogDiffOptions();
        var differences = new List<CatalogDifference>();

        // Both snapshots list their objects ordered by kind, then name: one walk through both matches them.
        var (objectsBefore, objectsAfter) = (before.Objects, after.Objects);
        for (int i = 0, j = 0; i < objectsBefore.Count || j < objectsAfter.Count;)
        {
            var order = i == objectsBefore.Count ? 1 : j == objectsAfter.Count ? -1 : CatalogObject.Order(objectsBefore[i], objectsAfter[j]);
            var old = order <= 0 ? objectsBefore[i++] : null;
            var current = order >= 0 ? objectsAfter[j++] : null;
            var (kind, name) = (current ?? old)!.Key;
            var origin = (current ?? old)!.Origin;
            if (!options.Origins.Contains(origin))
            {
                continue;
            }

            if (old is null)
            {
                differences.Add(new CatalogDifference(DifferenceKind.Added, kind, name, origin, null));
            }
            else if (current is null)
            {
                differences.Add(new CatalogDifference(DifferenceKind.Removed, kind, name, origin, null));
            }
            else if (!SameProperties(old, current))
            {
                foreach (var property in old.Properties.Keys.Union(current.Properties.Keys).Order(StringComparer.Ordinal))
                {
                    var was = old.Properties.GetValueOrDefault(property);
                    var now = current.Properties.GetValueOrDefault(property);
                    if (was != now)
                    {
                        differences.Add(new CatalogDifference(DifferenceKind.Changed, kind, name, origin, DescribeChange(property, was, now, options.MaxValueLength)));
                    }
                }
            }
        }

        differences.AddRange(ColumnOrderNotes(before, after, options));
        return differences;
    }

    /// <summary>Only the actual differences (no notes), as review-comment lines.</summary>
    public static IReadOnlyList<string> Lines(IEnumerable<CatalogDifference> differences) =>
        differences.Select(d => d.ToString()).ToList();

    // The same server fingerprint is the same printed text, properties included.
    private static bool SameProperties(CatalogObject a, CatalogObject b) =>
        ReferenceEquals(a, b) || (a.Fingerprint is { } fingerprint && fingerprint == b.Fingerprint) ||
        a.Properties.Count == b.Properties.Count &&
        a.Properties.All(p => b.Properties.TryGetValue(p.Key, out var other) && string.Equals(p.Value, other, StringComparison.Ordinal));

    private static string DescribeChange(string property, string? was, string? now, int maxLength)
    {
        static bool Long(string? value, int max) => value is not null && (value.Length > max || value.Contains('\n'));
        if (Long(was, maxLength) || Long(now, maxLength))
        {
            return $"{property} changed ({FirstDifference(was ?? string.Empty, now ?? string.Empty, maxLength)})";
        }

        return $"{property} {was ?? "none"} -> {now ?? "none"}";
    }

    private static string FirstDifference(string was, string now, int maxLength)
    {
        var oldLines = was.Split('\n');
        var newLines = now.Split('\n');
        for (var i = 0; i < Math.Max(oldLines.Length, newLines.Length); i++)
        {
            var a = i < oldLines.Length ? oldLines[i].Trim() : null;
            var b = i < newLines.Length ? newLines[i].Trim() : null;
            if (a != b)
            {
                return $"line {i + 1}: {Truncate(a, maxLength)} -> {Truncate(b, maxLength)}";
            }
        }

        return "whitespace only";
    }

    private static string Truncate(string? value, int maxLength) =>
        value is null ? "none" : value.Length <= maxLength ? $"\"{value}\"" : $"\"{value[..maxLength]}...\"";

    /// <summary>
    /// Columns present in both snapshots whose relative order changed (outside the longest common
    /// order): a column dropped and re-added at the end is the same column, worth a note only.
    /// </summary>
    private static IEnumerable<CatalogDifference> ColumnOrderNotes(CatalogSnapshot before, CatalogSnapshot after, CatalogDiffOptions options)
    {
        static Dictionary<string, List<CatalogObject>> ByTable(CatalogSnapshot snapshot) =>
            snapshot.Objects.Where(o => o.Kind == CatalogObjectKind.Column)
                .GroupBy(o => o.Name[..o.Name.LastIndexOf('.')], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.OrderBy(c => c.Position).ToList(), StringComparer.Ordinal);

        var oldTables = ByTable(before);
        var newTables = ByTable(after);
        foreach (var (table, oldColumns) in oldTables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!newTables.TryGetValue(table, out var newColumns))
            {
                continue;
            }

            var common = oldColumns.Select(c => c.Name).Intersect(newColumns.Select(c => c.Name), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
            var oldOrder = oldColumns.Where(c => common.Contains(c.Name)).ToList();
            var newOrder = newColumns.Where(c => common.Contains(c.Name)).ToList();
            var kept = LongestCommonOrder(oldOrder.Select(c => c.Name).ToList(), newOrder.Select(c => c.Name).ToList());
            foreach (var moved in newOrder.Where(c => !kept.Contains(c.Name)))
            {
                if (!options.Origins.Contains(moved.Origin))
                {
                    continue;
                }

                var was = oldColumns.First(c => c.Name == moved.Name).Position;
                yield return new CatalogDifference(DifferenceKind.Note, CatalogObjectKind.Column, moved.Name, moved.Origin,
                    $"position {was} -> {moved.Position}; matched by name, so this is the same column (e.g. re-added at the end)");
            }
        }
    }

    private static HashSet<string> LongestCommonOrder(List<string> a, List<string> b)
    {
        var length = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                length[i, j] = a[i] == b[j] ? length[i + 1, j + 1] + 1 : Math.Max(length[i + 1, j], length[i, j + 1]);
            }
        }

        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0, j = 0; i < a.Count && j < b.Count;)
        {
            if (a[i] == b[j])
            {
                kept.Add(a[i]);
                i++;
                j++;
            }
            else if (length[i + 1, j] >= length[i, j + 1])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return kept;
    }
}
