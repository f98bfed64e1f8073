using System.Text.Json.Nodes;
using Npgsql;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Tests.Support;

/// <summary>An entity as a service writes it: its partition key, row key and properties.</summary>
public sealed record Entity(string PartitionKey, string RowKey, JsonObject Properties)
{
    /// <summary>The properties as compact JSON text.</summary>
    public string Text => Json.Text(Properties);

    /// <summary>The keys and the properties' text, as a version test seeds a row.</summary>
    public (string PartitionKey, string RowKey, string Properties) Row => (PartitionKey, RowKey, Text);

    /// <summary>The same entity with <paramref name="change"/> applied to a copy of its properties.</summary>
    public Entity With(Action<JsonObject> change)
    {
        var properties = Properties.DeepClone().AsObject();
        change(properties);
        return this with { Properties = properties };
    }
}

/// <summary>
/// The five methods of one entities table (Taskcluster's phase-1 storage, or its phase-2 compatibility shim).
/// <paramref name="Deprecated"/> marks methods that are deprecated but still within their support window: they must
/// keep their contract, called through the client's deprecated entry point.
/// </summary>
public sealed record EntityMethods(string Service, string Load, string Create, string Modify, string Remove, string Scan, bool Deprecated = false)
{
    /// <summary>The methods of <paramref name="table"/> (<c>&lt;table&gt;_load</c>, ...), for code that has the table name only.</summary>
    public static EntityMethods Of(string service, string table, bool deprecated = false) =>
        new(service, table + "_load", table + "_create", table + "_modify", table + "_remove", table + "_scan", deprecated);

    /// <summary>The entities table the methods serve.</summary>
    public string Table => Load.EndsWith("_load", StringComparison.Ordinal) ? Load[..^"_load".Length] : Load;
}

/// <summary>
/// The behaviour every entities table promises: load, create (refusing a duplicate unless asked to overwrite),
/// optimistic modify by etag, remove, and scan with paging in key order. Checked through a service's own function
/// client, so the grants are exercised too. Values read back are compared with what was written as JSON documents:
/// whole, or only <paramref name="comparedProperty"/> when the table keeps only some properties as written (a
/// phase-2 shim rebuilds the value from its columns).
/// </summary>
public sealed class EntityContract(FunctionClient client, EntityMethods methods, string? comparedProperty = null)
{
    /// <summary>
    /// The life of one entity: created and loaded back, a duplicate refused, a modify of a missing row and one with a
    /// stale etag refused, modified, found by a scan of its partition key, removed (and a second remove finds nothing).
    /// With <paramref name="neighbours"/> (tables that take any keys) two more entities share the table, one with the
    /// same partition key and one with the same row key, and each method must touch exactly the entity it names: a
    /// modify of a missing row key fails, a scan of the partition key returns the same-partition neighbour too, and a
    /// modify or remove leaves both neighbours as they were. A method that drops its partition-key or row-key
    /// condition is caught only this way. The neighbours are removed at the end.
    /// </summary>
    public async Task VerifyLifecycleAsync(Entity entity, JsonObject modified, bool neighbours = true)
    {
        var others = new List<(Entity Entity, Guid Etag)>();
        if (neighbours)
        {
            foreach (var neighbour in new[] { entity with { RowKey = entity.RowKey + "~neighbour" }, entity with { PartitionKey = entity.PartitionKey + "~neighbour" } })
            {
                others.Add((neighbour, await CreateAsync(neighbour, overwrite: false)));
            }
        }

        var etag = await AssertCreatedAndLoadedAsync(entity);
        await AssertModifyOfMissingRowFailsAsync(entity with { PartitionKey = entity.PartitionKey + "-missing" }, etag);
        if (neighbours)
        {
            await AssertModifyOfMissingRowFailsAsync(entity with { RowKey = entity.RowKey + "-missing" }, etag);
        }

        var changed = entity with { Properties = modified };
        var newEtag = await AssertModifyIsOptimisticAsync(changed, etag);
        await AssertUntouchedAsync(others, "modify");
        await AssertScanFindsOnlyAsync(changed, newEtag, others.Where(o => o.Entity.PartitionKey == entity.PartitionKey).ToList());
        await AssertRemovedAsync(entity, newEtag);
        await AssertUntouchedAsync(others, "remove");
        foreach (var (neighbour, _) in others)
        {
            await CallAsync(methods.Remove, neighbour.PartitionKey, neighbour.RowKey);
        }
    }

    /// <summary>Creates <paramref name="entity"/>, loads it back (keys, version 1, etag, value), and sees a second create refused with 23505. Returns the etag.</summary>
    public async Task<Guid> AssertCreatedAndLoadedAsync(Entity entity)
    {
        var what = Describe(entity);
        var etag = await CreateAsync(entity, overwrite: false);

        var loaded = (await CallAsync(methods.Load, entity.PartitionKey, entity.RowKey)).Single();
        Assert.That(loaded["partition_key_out"], Is.EqualTo(entity.PartitionKey), what);
        Assert.That(loaded["row_key_out"], Is.EqualTo(entity.RowKey), what);
        Assert.That(loaded["version"], Is.EqualTo(1), what);
        Assert.That(loaded["etag"], Is.EqualTo(etag), $"{what}: load returns the etag create returned");
        AssertValue(loaded["value"], entity, $"{what}: loaded value");

        await DbAssert.SqlStateAsync(SqlStates.UniqueViolation, () => CreateAsync(entity, overwrite: false));
        return etag;
    }

    /// <summary>Creating an existing entity with overwrite replaces it: a new etag. Returns it.</summary>
    public async Task<Guid> AssertOverwriteReplacesAsync(Entity entity, Guid etag)
    {
        var overwritten = await CreateAsync(entity, overwrite: true);
        Assert.That(overwritten, Is.Not.EqualTo(etag), $"{Describe(entity)}: create with overwrite makes a new etag");
        return overwritten;
    }

    /// <summary>Load and remove of an entity that was never created return no row.</summary>
    public async Task AssertMissingAsync(Entity entity)
    {
        Assert.That(await CallAsync(methods.Load, entity.PartitionKey, entity.RowKey), Is.Empty, $"{Describe(entity)}: load of a missing row");
        Assert.That(await CallAsync(methods.Remove, entity.PartitionKey, entity.RowKey), Is.Empty, $"{Describe(entity)}: remove of a missing row");
    }

    /// <summary>
    /// Modifying an entity that does not exist fails with P0002 (no data found). Pass the <paramref name="etag"/> of an
    /// existing entity that shares one key with <paramref name="absent"/>: a modify that ignores the other key then
    /// finds that entity by its etag and succeeds, which this assertion catches.
    /// </summary>
    public Task AssertModifyOfMissingRowFailsAsync(Entity absent, Guid? etag = null) =>
        DbAssert.SqlStateAsync(PostgresErrorCodes.NoDataFound, () => CallAsync(methods.Modify, absent.PartitionKey, absent.RowKey, absent.Properties, 1, etag ?? Guid.NewGuid()));

    /// <summary>
    /// Modifies the existing entity to <paramref name="changed"/>'s properties with its current <paramref name="etag"/>:
    /// a new etag; a writer still holding the old etag then loses the race with P0004, and a load shows the first
    /// modification. Returns the new etag.
    /// </summary>
    public async Task<Guid> AssertModifyIsOptimisticAsync(Entity changed, Guid etag)
    {
        var what = Describe(changed);
        var modified = (Guid)(await CallAsync(methods.Modify, changed.PartitionKey, changed.RowKey, changed.Properties, 1, etag)).Single()["etag"]!;
        Assert.That(modified, Is.Not.EqualTo(etag), $"{what}: modify makes a new etag");

        // The methods raise "unsuccessful update" with P0004 (assert_failure) when the etag is stale.
        var error = await DbAssert.SqlStateAsync(PostgresErrorCodes.AssertFailure, () => CallAsync(methods.Modify, changed.PartitionKey, changed.RowKey, changed.Properties, 1, etag));
        Assert.That(error.Message, Does.Contain("unsuccessful update"), $"{what}: modify with a stale etag");

        var loaded = (await CallAsync(methods.Load, changed.PartitionKey, changed.RowKey)).Single();
        Assert.That(loaded["etag"], Is.EqualTo(modified), $"{what}: load after modify");
        AssertValue(loaded["value"], changed, $"{what}: loaded value after modify");
        return modified;
    }

    /// <summary>
    /// A scan of the entity's partition key returns it with <paramref name="etag"/> and its value, followed (in row-key
    /// order) by <paramref name="samePartition"/>, the other entities known to share its partition key, and nothing else.
    /// </summary>
    public async Task AssertScanFindsOnlyAsync(Entity entity, Guid etag, IReadOnlyList<(Entity Entity, Guid Etag)>? samePartition = null)
    {
        var what = Describe(entity);
        var scanned = await CallAsync(methods.Scan, entity.PartitionKey, null, null, null, null);
        var expected = new[] { ((object?)entity.PartitionKey, (object?)entity.RowKey, (object?)etag) }
            .Concat((samePartition ?? []).Select(o => ((object?)o.Entity.PartitionKey, (object?)o.Entity.RowKey, (object?)o.Etag)))
            .OrderBy(k => (string)k.Item2!, StringComparer.Ordinal);
        Assert.That(scanned.Select(r => (r["partition_key_out"], r["row_key_out"], r["etag"])), Is.EqualTo(expected), $"{what}: scan by partition key");
        AssertValue(scanned.First(r => Equals(r["row_key_out"], entity.RowKey))["value"], entity, $"{what}: scanned value");
    }

    /// <summary>Removing the entity returns its <paramref name="etag"/>; afterwards it loads as missing and a second remove returns nothing.</summary>
    public async Task AssertRemovedAsync(Entity entity, Guid etag)
    {
        var what = Describe(entity);
        var removed = await CallAsync(methods.Remove, entity.PartitionKey, entity.RowKey);
        Assert.That(removed.Select(r => r["etag"]), Is.EqualTo(new object?[] { etag }), $"{what}: remove returns the etag");
        await AssertMissingAsync(entity);
    }

    /// <summary>
    /// Creates <paramref name="entities"/> (in reverse order), then a scan of all, two at a time, returns their
    /// partition keys in ordinal order; a scan by one partition key returns one; a false condition returns none.
    /// </summary>
    public async Task AssertScanPagesInKeyOrderAsync(IReadOnlyList<Entity> entities)
    {
        foreach (var entity in entities.Reverse())
        {
            await CreateAsync(entity, overwrite: false);
        }

        var seen = new List<object?>();
        for (var page = 0; ; page += 2)
        {
            var rows = await CallAsync(methods.Scan, null, null, null, 2, page);
            Assert.That(rows, Has.Count.LessThanOrEqualTo(2), $"{methods.Table}: a page of 2");
            if (rows.Count == 0)
            {
                break;
            }

            seen.AddRange(rows.Select(r => r["partition_key_out"]));
        }

        Assert.That(seen, Is.EqualTo(entities.Select(e => e.PartitionKey).Order(StringComparer.Ordinal).ToList()), $"{methods.Table}: scan in pages");
        Assert.That(await CallAsync(methods.Scan, entities[0].PartitionKey, null, null, null, null), Has.Count.EqualTo(1), $"{methods.Table}: scan by partition key");
        Assert.That(await CallAsync(methods.Scan, null, null, "false", null, null), Is.Empty, $"{methods.Table}: scan with a false condition");
    }

    /// <summary>Creates <paramref name="entity"/> (version 1) and returns its etag.</summary>
    public async Task<Guid> CreateAsync(Entity entity, bool overwrite) =>
        (Guid)(await CallAsync(methods.Create, entity.PartitionKey, entity.RowKey, entity.Properties, overwrite, 1)).Single()[methods.Create]!;

    private async Task AssertUntouchedAsync(IEnumerable<(Entity Entity, Guid Etag)> others, string step)
    {
        foreach (var (neighbour, etag) in others)
        {
            var rows = await CallAsync(methods.Load, neighbour.PartitionKey, neighbour.RowKey);
            Assert.That(rows.Select(r => r["etag"]), Is.EqualTo(new object?[] { etag }), $"{Describe(neighbour)}: a neighbour is as it was after the {step} of another entity");
        }
    }

    private Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CallAsync(string method, params object?[] args) =>
        methods.Deprecated ? client.Deprecated.CallAsync(method, args) : client.CallAsync(method, args);

    private void AssertValue(object? value, Entity written, string what)
    {
        if (comparedProperty is null)
        {
            Json.AssertSame(value, written.Properties, what);
            return;
        }

        Json.AssertSame(Json.Parse(value)?[comparedProperty]?.ToJsonString(), written.Properties[comparedProperty], $"{what}, property {comparedProperty}");
    }

    private string Describe(Entity entity) => $"{methods.Table} ({entity.PartitionKey}/{entity.RowKey})";
}
