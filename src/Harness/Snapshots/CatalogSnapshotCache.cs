namespace Tcdb.Snapshots;

/// <summary>
/// Objects read by earlier <see cref="CatalogSnapshot"/>s, keyed by the server's fingerprint of each (a
/// hash of its kind, name and every property): a later snapshot sends the fingerprints it knows, and the
/// server returns the definitions of the other objects only. Content-addressed, so it serves snapshots of
/// any database; the most recent few versions of each object are kept. Safe to share between threads.
/// </summary>
public sealed class CatalogSnapshotCache
{
    private const int KeptPerObject = 4;

    private readonly object gate = new();
    private readonly Dictionary<Guid, CatalogObject> objects = [];
    private readonly Dictionary<(CatalogObjectKind, string), LinkedList<Guid>> recent = [];

    /// <summary>Every known object by fingerprint (a copy: the cache may change while a snapshot reads).</summary>
    internal Dictionary<Guid, CatalogObject> Known()
    {
        lock (gate)
        {
            return new Dictionary<Guid, CatalogObject>(objects);
        }
    }

    internal void Add(CatalogObject item)
    {
        if (item.Fingerprint is not { } fingerprint)
        {
            return;
        }

        lock (gate)
        {
            if (!objects.TryAdd(fingerprint, item))
            {
                return;
            }

            if (!recent.TryGetValue(item.Key, out var fingerprints))
            {
                recent[item.Key] = fingerprints = new LinkedList<Guid>();
            }

            fingerprints.AddFirst(fingerprint);
            while (fingerprints.Count > KeptPerObject)
            {
                objects.Remove(fingerprints.Last!.Value);
                fingerprints.RemoveLast();
            }
        }
    }
}
