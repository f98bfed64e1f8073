namespace Tcdb.Snapshots;

/// <summary>
/// What earlier <see cref="CatalogSnapshot"/>s read, for later ones to reuse. Objects are keyed by the server's
/// fingerprint of each (a hash of its kind, name and every property): an object read again with the same text
/// is the instance read before, so what callers derived from it stays valid. Groups of objects (a table with
/// what is on it, a function with the grants on it) are also kept by the group's stamp (<see cref="CatalogStamps"/>):
/// a later snapshot does not print a group whose stamp is known. Both are content-addressed, so they serve snapshots of any database of the
/// server; the most recent few versions of each object are kept. Safe to share between threads.
/// </summary>
public sealed class CatalogSnapshotCache
{
    private const int KeptPerObject = 4;

    // Per group oid: the run's databases, clones of one another, may each have their own version of it, and a
    // function's group is kept under two stamps (its rows' xmin and its content, see CatalogStamps.ContentSql).
    private const int KeptPerGroup = 16;

    private readonly object gate = new();
    private readonly Dictionary<Guid, CatalogObject> objects = [];
    private readonly Dictionary<(CatalogObjectKind, string), LinkedList<Guid>> recent = [];
    private readonly Dictionary<string, IReadOnlyList<StampedObject>> byStamp = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, LinkedList<string>> recentStamps = [];

    /// <summary>The object read earlier with that fingerprint, or null.</summary>
    internal CatalogObject? Find(Guid fingerprint)
    {
        lock (gate)
        {
            return objects.GetValueOrDefault(fingerprint);
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

    private int printedGroups;

    /// <summary>How many groups snapshots printed rather than took from here: a test seam, to show what is reused.</summary>
    internal int PrintedGroups => Volatile.Read(ref printedGroups);

    internal void CountPrinted(int groups) => Interlocked.Add(ref printedGroups, groups);

    /// <summary>The objects printed for the group of that stamp, or null.</summary>
    internal IReadOnlyList<StampedObject>? FindGroup(string stamp)
    {
        lock (gate)
        {
            return byStamp.GetValueOrDefault(stamp);
        }
    }

    internal void AddGroup(uint oid, string stamp, IReadOnlyList<StampedObject> printed)
    {
        lock (gate)
        {
            if (!byStamp.TryAdd(stamp, printed))
            {
                return;
            }

            if (!recentStamps.TryGetValue(oid, out var stamps))
            {
                recentStamps[oid] = stamps = new LinkedList<string>();
            }

            stamps.AddFirst(stamp);
            while (stamps.Count > KeptPerGroup)
            {
                byStamp.Remove(stamps.Last!.Value);
                stamps.RemoveLast();
            }
        }
    }
}

/// <summary>An object as read, with what its origin is decided from (the origin depends on the snapshot's options).</summary>
internal sealed record StampedObject(CatalogObject Object, string? Extension, string? Subject);
