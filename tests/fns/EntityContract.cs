using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>
/// The five methods of one entities table (Taskcluster's phase-1 storage, or its phase-2 compatibility shim),
/// named in full so that every name is greppable and <see cref="CoverageTests"/> finds it.
/// <paramref name="Deprecated"/> marks methods that are deprecated but still within their support window: they
/// must keep their contract, called through the client's deprecated entry point.
/// </summary>
public sealed record EntityMethods(string Service, string Load, string Create, string Modify, string Remove, string Scan, bool Deprecated = false);

/// <summary>
/// How to write valid entities of a table: the n-th partition key, the row key, the properties of a key, and the
/// property whose value (holding <see cref="Values.Tricky"/>) must come back unchanged.
/// <paramref name="Singleton"/> marks tables holding one entity (roles): no paging across keys.
/// <paramref name="RowKeyFor"/> gives the row key of a partition key where one row key for all would collide
/// (worker pool errors: the error id alone is the primary key); otherwise every entity uses <paramref name="RowKey"/>.
/// </summary>
public sealed record EntityShape(
    EntityMethods Methods,
    Func<int, string> PartitionKey,
    string RowKey,
    Func<string, JsonObject> Properties,
    string CheckedProperty,
    bool Singleton = false,
    Func<string, string>? RowKeyFor = null)
{
    public override string ToString() => Methods.Load[..^"_load".Length];

    /// <summary>The row key of the entity in partition <paramref name="partitionKey"/>.</summary>
    public string RowKeyOf(string partitionKey) => RowKeyFor?.Invoke(partitionKey) ?? RowKey;
}

/// <summary>
/// The behaviour every entities table promises (load, create with overwrite, optimistic modify, remove,
/// scan with paging), checked through the service's own function client.
/// </summary>
internal sealed class EntityContract(FunctionClient client, EntityShape shape)
{
    private EntityMethods M => shape.Methods;

    public async Task CreateLoadsBackAndDuplicateIsUniqueViolationAsync()
    {
        var key = shape.PartitionKey(1);
        var etag = await CreateAsync(key, overwrite: false);

        var loaded = (await CallAsync(M.Load, key, shape.RowKeyOf(key))).Single();
        Assert.That(loaded["partition_key_out"], Is.EqualTo(key));
        Assert.That(loaded["row_key_out"], Is.EqualTo(shape.RowKeyOf(key)));
        Assert.That(loaded["etag"], Is.EqualTo(etag));
        var checkedValue = Values.Json(loaded["value"])![shape.CheckedProperty];
        Assert.That(
            JsonNode.DeepEquals(checkedValue, shape.Properties(key)[shape.CheckedProperty]),
            Is.True,
            $"{shape.CheckedProperty}: wrote {shape.Properties(key)[shape.CheckedProperty]?.ToJsonString()}, read {checkedValue?.ToJsonString()}");

        await SqlState(SqlStates.UniqueViolation, () => CreateAsync(key, overwrite: false));
        var overwritten = await CreateAsync(key, overwrite: true);
        Assert.That(overwritten, Is.Not.EqualTo(etag));
    }

    public async Task LoadAndRemoveOfMissingReturnNothingAsync()
    {
        var key = shape.PartitionKey(7);
        Assert.That(await CallAsync(M.Load, key, shape.RowKeyOf(key)), Is.Empty);
        Assert.That(await CallAsync(M.Remove, key, shape.RowKeyOf(key)), Is.Empty);

        var etag = await CreateAsync(key, overwrite: false);
        Assert.That((await CallAsync(M.Remove, key, shape.RowKeyOf(key))).Single()["etag"], Is.EqualTo(etag));
        Assert.That(await CallAsync(M.Load, key, shape.RowKeyOf(key)), Is.Empty);
    }

    /// <summary>
    /// For shapes whose properties are complete (every property the table stores, times in
    /// <see cref="Values.JsIso"/> form): the value built by load and by scan is exactly the value written, so a
    /// phase-2 table loses, adds and converts nothing.
    /// </summary>
    public async Task EveryPropertyRoundTripsThroughLoadAndScanAsync()
    {
        var key = shape.PartitionKey(3);
        var written = shape.Properties(key);
        await CallAsync(M.Create, key, shape.RowKeyOf(key), written, false, 1);

        var loaded = Values.Json((await CallAsync(M.Load, key, shape.RowKeyOf(key))).Single()["value"])!;
        var scanned = Values.Json((await CallAsync(M.Scan, key, shape.RowKeyOf(key), null, null, null)).Single()["value"])!;

        foreach (var value in new[] { loaded, scanned })
        {
            Assert.That(value.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal), Is.EqualTo(written.Select(p => p.Key).Order(StringComparer.Ordinal)));
            foreach (var (name, expected) in written)
            {
                Assert.That(JsonNode.DeepEquals(value[name], expected), Is.True, $"{name}: wrote {expected?.ToJsonString()}, read {value[name]?.ToJsonString()}");
            }
        }
    }

    public async Task ModifyIsOptimisticAsync()
    {
        var key = shape.PartitionKey(2);
        await SqlState("P0002", () => CallAsync(M.Modify, key, shape.RowKeyOf(key), shape.Properties(key), 1, Guid.NewGuid()));

        var etag = await CreateAsync(key, overwrite: false);
        var modified = (Guid)(await CallAsync(M.Modify, key, shape.RowKeyOf(key), shape.Properties(key), 1, etag)).Single()["etag"]!;
        Assert.That(modified, Is.Not.EqualTo(etag));

        // A writer holding the old etag lost the race.
        var error = await SqlState("P0004", () => CallAsync(M.Modify, key, shape.RowKeyOf(key), shape.Properties(key), 1, etag));
        Assert.That(error.Message, Does.Contain("unsuccessful update"));
        Assert.That((await CallAsync(M.Load, key, shape.RowKeyOf(key))).Single()["etag"], Is.EqualTo(modified));
    }

    public async Task ScanPagesInKeyOrderAsync()
    {
        var count = shape.Singleton ? 1 : 5;
        var keys = Enumerable.Range(10, count).Select(shape.PartitionKey).ToList();
        foreach (var key in keys.AsEnumerable().Reverse())
        {
            await CreateAsync(key, overwrite: false);
        }

        var seen = new List<object?>();
        for (var page = 0; ; page += 2)
        {
            var rows = await CallAsync(M.Scan, null, null, null, 2, page);
            Assert.That(rows, Has.Count.LessThanOrEqualTo(2));
            if (rows.Count == 0)
            {
                break;
            }

            seen.AddRange(rows.Select(r => r["partition_key_out"]));
        }

        Assert.That(seen, Is.EqualTo(keys.Order(StringComparer.Ordinal).ToList()));
        Assert.That(await CallAsync(M.Scan, keys[0], null, null, null, null), Has.Count.EqualTo(1));
        Assert.That(await CallAsync(M.Scan, null, null, "false", null, null), Is.Empty);
    }

    private Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CallAsync(string method, params object?[] args) =>
        M.Deprecated ? client.Deprecated.CallAsync(method, args) : client.CallAsync(method, args);

    private async Task<Guid> CreateAsync(string key, bool overwrite) =>
        (Guid)(await CallAsync(M.Create, key, shape.RowKeyOf(key), shape.Properties(key), overwrite, 1)).Single()[M.Create]!;

    private static Task<Exception> SqlState(string state, Func<Task> call) => DbAssert.SqlStateAsync(state, call);
}
