using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

namespace Tcdb.Snapshots;

/// <summary>
/// A deterministic record of one database's catalog: schemas, extensions, tables, columns,
/// constraints, indexes, sequences, views, types, functions, triggers, policies, privileges and the
/// service roles' attributes. Objects are sorted by kind then name, and normalized so the same DDL
/// snapshots identically on PostgreSQL 11 and 15. Compare two with <see cref="CatalogDiff"/>.
/// </summary>
public sealed class CatalogSnapshot
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private Dictionary<(CatalogObjectKind, string), CatalogObject>? byKey;

    public CatalogSnapshot(IEnumerable<CatalogObject> objects)
    {
        var sorted = objects.ToList();
        sorted.Sort(CatalogObject.Order);
        for (var i = 1; i < sorted.Count; i++)
        {
            if (CatalogObject.Order(sorted[i - 1], sorted[i]) == 0)
            {
                throw new ArgumentException($"duplicate catalog object {sorted[i]}", nameof(objects));
            }
        }

        Objects = sorted;
    }

    /// <summary>Every recorded object, ordered by kind then name (ordinal).</summary>
    public IReadOnlyList<CatalogObject> Objects { get; }

    /// <summary>The object of that kind and qualified name, or null.</summary>
    public CatalogObject? Find(CatalogObjectKind kind, string name) =>
        LazyInitializer.EnsureInitialized(ref byKey, () => Objects.ToDictionary(o => o.Key)).GetValueOrDefault((kind, name));

    /// <summary>
    /// Reads the catalog through <paramref name="connection"/> in one repeatable-read, read-only
    /// transaction with <c>search_path = pg_catalog</c> (so every name in a definition is qualified).
    /// Every object comes with the server's fingerprint of it (objects with the same fingerprint are one instance);
    /// with <see cref="CatalogSnapshotOptions.Reuse"/> the server prints only the groups of objects (a table with what is on it, a function with its grants) whose stamp
    /// (<see cref="CatalogStamps"/>) the cache does not hold.
    /// The connection must not be inside a transaction.
    /// </summary>
    public static async Task<CatalogSnapshot> TakeAsync(NpgsqlConnection connection, CatalogSnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CatalogSnapshotOptions();
        return new CatalogSnapshot(await CatalogReader.ReadAsync(connection, qualified: true, transaction => ReadObjectsAsync(connection, transaction, options, cancellationToken), cancellationToken));
    }

    private static async Task<List<CatalogObject>> ReadObjectsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CatalogSnapshotOptions options, CancellationToken cancellationToken)
    {
        var objects = new List<CatalogObject>();
        await CatalogStatements.SetAsync(connection, transaction, options, cancellationToken);
        (string Prefix, Dictionary<uint, (string Stamp, bool Function)> Groups)? stamped = options.Reuse is null ? null : await GroupStampsAsync(connection, transaction, options, cancellationToken);
        var stamps = stamped?.Groups;
        uint[]? print = null;
        var pendingKinds = GroupKinds.None;
        Dictionary<uint, string>? contentStamps = null;
        uint[]? listed = null;
        // A group found in the cache: its objects, with the origin these options give them.
        void Take(IReadOnlyList<StampedObject> entries) => objects.AddRange(entries.Select(e => e.Object.WithOrigin(OriginOf(options, e.Extension, e.Subject))));

        if (stamped is { } known)
        {
            var pending = new List<uint>();
            foreach (var (oid, (stamp, _)) in known.Groups)
            {
                if (options.Reuse!.FindGroup(stamp) is { } entries)
                {
                    Take(entries);
                }
                else
                {
                    pending.Add(oid);
                }
            }

            // A function written again as it was (by a downgrade, or a re-upgrade) has a new xmin stamp but a known content stamp.
            var functions = pending.Where(o => known.Groups[o].Function).ToArray();
            if (functions.Length > 0)
            {
                await CatalogStatements.SetPrintAsync(connection, transaction, functions, cancellationToken);
                listed = functions;
                contentStamps = await ContentStampsAsync(connection, transaction, known.Prefix, cancellationToken);
                foreach (var oid in functions)
                {
                    if (contentStamps.TryGetValue(oid, out var stamp) && options.Reuse!.FindGroup(stamp) is { } entries)
                    {
                        Take(entries);
                        options.Reuse.AddGroup(oid, known.Groups[oid].Stamp, entries);
                        pending.Remove(oid);
                    }
                }
            }

            foreach (var oid in pending)
            {
                pendingKinds |= known.Groups[oid].Function ? GroupKinds.Functions : GroupKinds.Relations;
            }

            print = pending.ToArray();
        }

        var printed = new Dictionary<uint, List<StampedObject>>();
        if (print is not null && (listed is null || !listed.SequenceEqual(print)))
        {
            await CatalogStatements.SetPrintAsync(connection, transaction, print, cancellationToken);
        }

        await using var command = await CatalogStatements.PrepareAsync(Query(connection.PostgreSqlVersion.Major, options.Kinds, print is null ? null : pendingKinds), connection, transaction, cancellationToken);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var kind = Enum.Parse<CatalogObjectKind>(reader.GetString(0));
                if (options.Kinds?.Contains(kind) == false)
                {
                    continue;
                }

                var extension = reader.IsDBNull(3) ? null : reader.GetString(3);
                var subject = reader.IsDBNull(4) ? null : reader.GetString(4);
                var origin = OriginOf(options, extension, subject);
                var fingerprint = reader.GetGuid(6);
                CatalogObject item;
                if (options.Reuse?.Find(fingerprint) is { } same)
                {
                    // The same text as an object read before: one instance, so what callers derived from it stays valid.
                    item = same.WithOrigin(origin);
                }
                else
                {
                    var properties = new SortedDictionary<string, string>(JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2))!, StringComparer.Ordinal);
                    int? position = reader.IsDBNull(5) ? null : reader.GetInt32(5);
                    item = CatalogObject.Read(kind, reader.GetString(1), origin, properties, position, fingerprint);
                    options.Reuse?.Add(item);
                }

                objects.Add(item);
                if (stamps is not null && !reader.IsDBNull(7))
                {
                    var oid = uint.Parse(reader.GetString(7), System.Globalization.CultureInfo.InvariantCulture);
                    if (!printed.TryGetValue(oid, out var group))
                    {
                        printed[oid] = group = [];
                    }

                    group.Add(new StampedObject(item, extension, subject));
                }
            }
        }

        options.Reuse?.CountPrinted(print?.Length ?? 0);
        foreach (var oid in print ?? [])
        {
            var group = printed.GetValueOrDefault(oid) ?? [];
            options.Reuse!.AddGroup(oid, stamps![oid].Stamp, group);
            if (contentStamps?.GetValueOrDefault(oid) is { } content)
            {
                options.Reuse!.AddGroup(oid, content, group);
            }
        }

        return objects;
    }

    /// <summary>
    /// Each group's stamp (<see cref="CatalogStamps"/>), prefixed with the shared stamp and what the options
    /// change in a group's printed objects (its grants depend on the role prefix and on PUBLIC's).
    /// </summary>
    private static async Task<(string Prefix, Dictionary<uint, (string Stamp, bool Function)> Groups)> GroupStampsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CatalogSnapshotOptions options, CancellationToken cancellationToken)
    {
        var rows = new List<(string Id, string Stamp, bool Function)>();
        await using (var command = await CatalogStatements.PrepareAsync(Stamps, connection, transaction, cancellationToken))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
            }
        }

        var prefix = string.Join(
            "|",
            connection.PostgreSqlVersion.Major,
            string.Join(",", options.Schemas),
            options.RolePrefix?.RoleNameStart ?? "*",
            options.IncludePublicGrants,
            options.Kinds is null ? "*" : string.Join(",", options.Kinds.Order()),
            rows.Single(r => r.Id == CatalogStamps.Shared).Stamp);
        return (prefix, rows.Where(r => r.Id != CatalogStamps.Shared)
            .ToDictionary(r => uint.Parse(r.Id, System.Globalization.CultureInfo.InvariantCulture), r => (prefix + "|" + r.Id + "|" + r.Stamp, r.Function)));
    }

    /// <summary>The content stamp (<see cref="CatalogStamps.ContentSql"/>) of each function group $5 lists, with the snapshot's prefix.</summary>
    private static async Task<Dictionary<uint, string>> ContentStampsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string prefix, CancellationToken cancellationToken)
    {
        var stamps = new Dictionary<uint, string>();
        await using var command = await CatalogStatements.PrepareAsync(ContentStamps, connection, transaction, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stamps[uint.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture)] = prefix + "|content|" + reader.GetString(1);
        }

        return stamps;
    }

    private static readonly ConcurrentDictionary<(int, GroupKinds?, string), string> Queries = new();

    private static readonly string Stamps = CatalogStatements.Bind(CatalogStamps.Sql);

    private static readonly string ContentStamps = CatalogStatements.Bind(CatalogStamps.ContentSql);

    /// <summary>
    /// The catalog queries of <paramref name="kinds"/> (null: all) as one statement, each row with the server's
    /// fingerprint of it (md5 of the whole row's text). With <paramref name="listed"/> (the kinds of the groups
    /// $5 lists) it prints only those groups, and leaves out the queries of the other kind of group: a planned
    /// query costs its start-up even when it returns nothing. Null prints every group.
    /// </summary>
    private static string Query(int major, IReadOnlySet<CatalogObjectKind>? kinds, GroupKinds? listed = null) =>
        Queries.GetOrAdd((major, listed, kinds is null ? "*" : string.Join(",", kinds.Order())), _ => CatalogStatements.Bind(
            "select x.k, x.n, x.p::text, x.e, x.s, x.pos, x.f, x.g\n" +
            "from (select y.k, y.n, y.p, y.e, y.s, y.pos, md5(row(y.k, y.n, y.p::text, y.e, y.s, y.pos)::text)::uuid as f, y.g\n" +
            // The empty first branch types the columns: a union would otherwise keep the first query's
            // type `name` (text converts to it implicitly) and truncate longer names to 63 bytes. The jsonb
            // column is typed by a function's result, not by the type's name, which a migration may rename
            // before a statement is first prepared.
            "      from ((select null::text, null::text, jsonb_strip_nulls(null), null::text, null::text, null::int, null::text where false)\nunion all\n" +
            string.Join("\nunion all\n", CatalogQueries.For(major, everyGroup: listed is null)
                .Where(q => (kinds is null || q.Kinds.Overlaps(kinds)) && (listed is not { } some || q.Groups == GroupKinds.None || (q.Groups & some) != 0))
                .Select(q => "(" + q.Sql + ")")) + ") y(k, n, p, e, s, pos, g)) x"));

    /// <summary>Indented JSON of every object (deterministic: same catalog, same text).</summary>
    public string ToJson() => JsonSerializer.Serialize(Objects.Select(o => new JsonObject(o.Kind, o.Name, o.Origin, o.Properties, o.Position)), JsonOptions);

    /// <summary>Reads the form <see cref="ToJson"/> writes.</summary>
    public static CatalogSnapshot FromJson(string json) =>
        new(JsonSerializer.Deserialize<List<JsonObject>>(json, JsonOptions)!
            .Select(o => new CatalogObject(o.Kind, o.Name, o.Origin, o.Properties, o.Position)));

    private static ObjectOrigin OriginOf(CatalogSnapshotOptions options, string? extension, string? subject)
    {
        if (extension is not null)
        {
            return ObjectOrigin.Extension;
        }

        var harness = subject switch
        {
            null => false,
            _ when subject.StartsWith("rel:", StringComparison.Ordinal) => options.HarnessTables.Contains(subject[4..], StringComparer.Ordinal),
            _ when subject.StartsWith("fn:", StringComparison.Ordinal) => options.HarnessFunctions.IsMatch(subject[3..]),
            _ when subject.StartsWith("ext:", StringComparison.Ordinal) => options.HarnessExtensions.Contains(subject[4..], StringComparer.Ordinal),
            _ => false,
        };
        return harness ? ObjectOrigin.Harness : ObjectOrigin.Schema;
    }

    private sealed record JsonObject(
        CatalogObjectKind Kind,
        string Name,
        ObjectOrigin Origin,
        IReadOnlyDictionary<string, string> Properties,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? Position);
}
