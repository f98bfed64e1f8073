namespace Tcdb.Cost;

/// <summary>Turns the record of one transaction and the catalog before and after it into a <see cref="TransactionCost"/>.</summary>
internal static class TransactionAnalysis
{
    public static TransactionCost Analyze(
        RelationCatalog before, RelationCatalog after, IReadOnlyDictionary<long, long> rowsBefore, TransactionTrace trace, LockProbeResult? probe)
    {
        var moments = trace.Locks.Select(l => l.At).Distinct().Order().ToList();
        var tables = new List<TableCost>();
        foreach (var table in before.Relations.Where(r => r.IsTable))
        {
            var locks = trace.Locks.Where(l => l.Relation == table.Oid).ToList();
            if (locks.Count == 0)
            {
                continue;
            }

            var mode = locks.Select(l => l.Mode).MaxBy(LockModes.Strength)!;
            var firstSeen = locks.Where(l => l.Mode == mode).Min(l => l.At);
            // The lock was not there at the previous moment the transaction recorded its locks.
            var acquiredAfter = moments.LastOrDefault(m => m < firstSeen, trace.Started);
            var rewritten = after.Find(table.Oid) is { } now && table.FileNode != 0 && now.FileNode != table.FileNode;
            var reasons = trace.Rewrites.Where(r => r.Relation == table.Oid).Aggregate(0, (all, r) => all | r.Reason);
            var indexes = after.Relations.Count(i => i.Table == table.Oid && (before.Find(i.Oid) is not { } old || old.FileNode != i.FileNode));
            var activity = trace.Activity.FirstOrDefault(a => a.Relation == table.Oid);
            tables.Add(new TableCost(
                table.Name,
                mode,
                trace.Ended - acquiredAfter,
                acquiredAfter - trace.Started,
                rowsBefore.GetValueOrDefault(table.Oid),
                rewritten,
                rewritten && reasons != 0 ? RewriteReason(reasons) : null,
                indexes,
                activity?.SeqScans ?? 0,
                activity?.TuplesRead ?? 0));
        }

        return new TransactionCost(
            trace.Ended - trace.Started,
            tables.OrderBy(t => t.AcquiredAfter).ThenBy(t => t.Table, StringComparer.Ordinal).ToList(),
            probe);
    }

    /// <summary>The bits of pg_event_trigger_table_rewrite_reason() in words.</summary>
    internal static string RewriteReason(int reason)
    {
        var words = new List<string>();
        if ((reason & 4) != 0)
        {
            words.Add("alter column type");
        }

        if ((reason & 2) != 0)
        {
            words.Add("add column with a volatile default");
        }

        if ((reason & 1) != 0)
        {
            words.Add("set logged/unlogged");
        }

        if ((reason & 8) != 0)
        {
            words.Add("set without oids or access method");
        }

        return words.Count == 0 ? $"rewrite reason {reason}" : string.Join(", ", words);
    }
}
