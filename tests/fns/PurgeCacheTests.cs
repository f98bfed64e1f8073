using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The purge-cache service (v25): cache purge requests and their entities shim.</summary>
[TestFixture]
public sealed class PurgeCacheTests : FunctionTest
{
    private const string Provisioner = "proj-releng";
    private const string WorkerType = "b-win2012";

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("purge_cache", "cache_purges_entities_load", "cache_purges_entities_create", "cache_purges_entities_modify", "cache_purges_entities_remove", "cache_purges_entities_scan"),
            i => $"{i:D3}-{Provisioner}~{WorkerType}",
            Values.Tricky,
            key => new JsonObject
            {
                ["provisionerId"] = key.Split('~')[0], ["workerType"] = key.Split('~')[1], ["cacheName"] = Values.Tricky,
                ["before"] = Times.JsIso(Times.Now()), ["expires"] = Times.JsIso(Times.Now().AddDays(1)),
            },
            "cacheName"),
    ];

    private FunctionClient PurgeCache => Client("purge_cache");

    [Test]
    public async Task A_purge_request_is_returned_to_its_worker_type_only()
    {
        var before = Times.Now().AddMinutes(-1);
        await PurgeCache.CallAsync("purge_cache", Provisioner, WorkerType, Values.Tricky, before, before.AddDays(1));
        await PurgeCache.CallAsync("purge_cache", Provisioner, "other", "c", before, before.AddDays(1));

        var rows = await PurgeCache.CallAsync("purge_requests", Provisioner, WorkerType);

        Assert.That(rows.Select(r => (r["provisioner_id"], r["worker_type"], r["cache_name"], r["before"])), Is.EqualTo(new[] { ((object?)Provisioner, (object?)WorkerType, (object?)Values.Tricky, (object?)before) }));
        Assert.That(await PurgeCache.CallAsync("purge_requests", Provisioner, "none"), Is.Empty);
    }

    [Test]
    public async Task Repeated_and_concurrent_requests_keep_the_latest_times()
    {
        var start = Times.Now();
        await Task.WhenAll(Enumerable.Range(0, 10).OrderBy(_ => Guid.NewGuid())
            .Select(i => PurgeCache.CallAsync("purge_cache", Provisioner, WorkerType, "c", start.AddMinutes(i), start.AddDays(1).AddMinutes(-i))));

        var all = (await PurgeCache.CallAsync("all_purge_requests", 10, null, null, null)).Single();
        Assert.That((all["before"], all["expires"]), Is.EqualTo((start.AddMinutes(9), start.AddDays(1))));
    }

    [Test]
    public async Task All_purge_requests_pages_across_worker_types_and_cache_names()
    {
        var keys = new List<(string, string, string)>();
        foreach (var workerType in new[] { "a-type", "b-type" })
        {
            for (var i = 0; i < 3; i++)
            {
                keys.Add((Provisioner, workerType, $"cache-{i}"));
                await PurgeCache.CallAsync("purge_cache", Provisioner, workerType, $"cache-{i}", Times.Now(), Times.Now().AddDays(1));
            }
        }

        var seen = await PurgeCache.PaginateByIndexAsync("all_purge_requests", new Dictionary<string, object?>(), ["provisioner_id", "worker_type", "cache_name"], pageSize: 4)
            .Select(r => ((string)r["provisioner_id"]!, (string)r["worker_type"]!, (string)r["cache_name"]!)).ToListAsync();

        Assert.That(seen, Is.EqualTo(keys));
    }

    [Test]
    public async Task Expire_cache_purges_deletes_requests_expired_before_the_time()
    {
        await PurgeCache.CallAsync("purge_cache", Provisioner, WorkerType, "old", Times.Now().AddDays(-3), Times.Now().AddDays(-2));
        await PurgeCache.CallAsync("purge_cache", Provisioner, WorkerType, "live", Times.Now(), Times.Now().AddDays(1));

        Assert.That((await PurgeCache.CallAsync("expire_cache_purges", Times.Now())).Single()["expire_cache_purges"], Is.EqualTo(1));
        Assert.That((await PurgeCache.CallAsync("purge_requests", Provisioner, WorkerType)).Select(r => r["cache_name"]), Is.EqualTo(new[] { "live" }));
    }

    [Test]
    public async Task The_entity_shim_reads_typed_requests_under_the_joined_key()
    {
        await PurgeCache.CallAsync("purge_cache", Provisioner, WorkerType, "c", Times.Now(), Times.Now().AddDays(1));

        var entity = (await PurgeCache.CallAsync("cache_purges_entities_load", $"{Provisioner}~{WorkerType}", "c")).Single();
        Assert.That(Json.Parse(entity["value"])!["workerType"]!.GetValue<string>(), Is.EqualTo(WorkerType));
        Assert.That(await PurgeCache.CallAsync("cache_purges_entities_load", $"{Provisioner}~{WorkerType}~x", "c"), Is.Empty);
        await AssertSqlStateAsync(SqlStates.InvalidParameterValue, () => PurgeCache.CallAsync("cache_purges_entities_create", Provisioner, "c", new JsonObject(), false, 1));
    }

    [Test]
    public async Task Other_services_cannot_request_purges_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("purge_cache", Provisioner, WorkerType, "c", Times.Now(), Times.Now()));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("purge_requests", Provisioner, WorkerType));
    }
}
