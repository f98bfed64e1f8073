namespace Tcdb.Snapshots;

/// <summary>
/// Tables read by earlier <see cref="DataSnapshot"/>s, keyed by what their rows are a function of (the
/// database and the table, its shape, its row count and the transactions that wrote its rows): a later
/// snapshot of the same database reuses a table no transaction has written since instead of reading it
/// again. Entries are keyed by that signature, so which snapshot put them there does not matter; the most
/// recent few per table of each database are kept. Safe to share between threads.
/// </summary>
public sealed class DataSnapshotCache
{
    private const int KeptPerTable = 6;

    private readonly object gate = new();
    private readonly Dictionary<string, TableData> tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedList<string>> recent = new(StringComparer.Ordinal);

    internal TableData? Find(string signature)
    {
        lock (gate)
        {
            return tables.GetValueOrDefault(signature);
        }
    }

    internal void Add(string signature, TableData table)
    {
        lock (gate)
        {
            if (!tables.TryAdd(signature, table))
            {
                return;
            }

            // The signature starts with the database's and the table's oids and the table's name.
            var slot = string.Join('\n', signature.Split('\n', 4).Take(3));
            if (!recent.TryGetValue(slot, out var signatures))
            {
                recent[slot] = signatures = new LinkedList<string>();
            }

            signatures.AddFirst(signature);
            while (signatures.Count > KeptPerTable)
            {
                tables.Remove(signatures.Last!.Value);
                signatures.RemoveLast();
            }
        }
    }
}
