using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The worker-manager service: worker pools (relational and shim). Workers and pool errors have their own classes.</summary>
[TestFixture]
public sealed class WorkerManagerTests : FunctionTest
{
    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("worker_manager", "wmworker_pools_entities_load", "wmworker_pools_entities_create", "wmworker_pools_entities_modify", "wmworker_pools_entities_remove", "wmworker_pools_entities_scan"),
            i => $"{i:D3}/pool/{Values.Tricky}",
            "workerPool",
            key => new JsonObject
            {
                ["workerPoolId"] = key,
                ["providerId"] = "aws",
                ["previousProviderIds"] = new JsonArray(),
                ["description"] = Values.Tricky,
                ["config"] = Values.TrickyJson(),
                ["created"] = Times.JsIso(DateTime.UtcNow),
                ["lastModified"] = Times.JsIso(DateTime.UtcNow),
                ["owner"] = "owner@example.com",
                ["emailOnError"] = false,
                ["providerData"] = new JsonObject(),
            },
            "config"),
    ];

    private readonly Faker faker = new();

    private FunctionClient Wm => Client("worker_manager");

    [Test]
    public async Task Create_then_get_worker_pool_round_trips()
    {
        await CreatePoolAsync(Values.Tricky, "aws");

        var row = (await Wm.CallAsync("get_worker_pool", Values.Tricky)).Single();

        Assert.That(row["worker_pool_id"], Is.EqualTo(Values.Tricky));
        Assert.That(row["description"], Is.EqualTo(Values.Tricky));
        Assert.That(Json.Parse(row["config"])!.ToJsonString(), Is.EqualTo(Values.TrickyJson().ToJsonString()));
        Assert.That(Json.Parse(row["previous_provider_ids"])!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Creating_an_existing_pool_is_a_unique_violation_and_missing_pools_give_nothing()
    {
        await CreatePoolAsync("p/1", "aws");

        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreatePoolAsync("p/1", "aws"));
        Assert.That(await Wm.CallAsync("get_worker_pool", "p/2"), Is.Empty);
        Assert.DoesNotThrowAsync(() => Wm.CallAsync("delete_worker_pool", "p/2"));
        await Wm.CallAsync("delete_worker_pool", "p/1");
        Assert.That(await Wm.CallAsync("get_worker_pool", "p/1"), Is.Empty);
    }

    [Test]
    public async Task Update_worker_pool_records_the_previous_provider_and_checks_the_etag()
    {
        await CreatePoolAsync("p/1", "aws");
        var etag = (await Wm.CallAsync("get_worker_pool", "p/1")).Single()["etag"];

        var previous = await UpdatePoolAsync("p/1", "gcp", etag);

        Assert.That(previous.Single()["previous_provider_id"], Is.EqualTo("aws"));
        var row = (await Wm.CallAsync("get_worker_pool", "p/1")).Single();
        Assert.That(row["provider_id"], Is.EqualTo("gcp"));
        Assert.That(Json.Parse(row["previous_provider_ids"])!.ToJsonString(), Is.EqualTo("[\"aws\"]"));

        await AssertSqlStateAsync("P0004", () => UpdatePoolAsync("p/1", "azure", etag));
        await AssertSqlStateAsync("P0002", () => UpdatePoolAsync("p/missing", "azure", null));
        Assert.DoesNotThrowAsync(() => UpdatePoolAsync("p/1", "azure", null));
    }

    [Test]
    public async Task Get_worker_pools_pages_across_boundaries()
    {
        var ids = Enumerable.Range(0, 5).Select(i => $"{i:D2}/{faker.Hacker.Noun().Replace(' ', '-')}").ToList();
        foreach (var id in ids)
        {
            await CreatePoolAsync(id, "aws");
        }

        var seen = await Wm.PaginateByIndexAsync("get_worker_pools", new Dictionary<string, object?>(), ["worker_pool_id"], pageSize: 2)
            .Select(r => (string)r["worker_pool_id"]!).ToListAsync();

        Assert.That(seen, Is.EqualTo(ids));
    }

    [Test]
    public async Task Other_services_may_not_write_pools_and_lack_grants_to_read_them()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("delete_worker_pool", "p"));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("get_worker_pools", 10, null));
    }

    private Task CreatePoolAsync(string id, string provider) =>
        Wm.CallAsync("create_worker_pool", id, provider, new JsonArray(), Values.Tricky, Values.TrickyJson(), Times.Now(), Times.Now(), "owner@example.com", false, new JsonObject());

    private Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> UpdatePoolAsync(string id, string provider, object? etag) =>
        Wm.CallAsync("update_worker_pool", id, provider, "d", new JsonObject(), Times.Now(), "owner@example.com", true, etag);
}
