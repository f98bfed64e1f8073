using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>Worker-manager's workers (v18): the relational table, its methods and its entities shim.</summary>
[TestFixture]
public sealed class WorkerManagerWorkersTests : FunctionTest
{
    private const string Pool = "proj/" + Values.Tricky;
    private const string WorkerKey = "wg~" + Values.Tricky;

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("worker_manager", "wmworkers_entities_load", "wmworkers_entities_create", "wmworkers_entities_modify", "wmworkers_entities_remove", "wmworkers_entities_scan"),
            i => $"{i:D3}/pool/{Values.Tricky}",
            WorkerKey,
            key => WorkerEntity(key, WorkerKey, Times.Now().AddDays(1)),
            "providerData"),
    ];

    private readonly Faker faker = new();

    private FunctionClient Wm => Client("worker_manager");

    [Test]
    public async Task Create_then_get_worker_round_trips_every_column()
    {
        var (created, expires) = (Times.Now().AddMinutes(-3), Times.Now().AddDays(1));

        var etag = (await Wm.CallAsync("create_worker", Pool, "wg", Values.Tricky, "aws", created, expires, "requested", Values.TrickyJson(), 4, created, created)).Single()["create_worker"];

        var row = (await Wm.CallAsync("get_worker", Pool, "wg", Values.Tricky)).Single();
        Assert.That((row["worker_pool_id"], row["worker_group"], row["worker_id"], row["provider_id"]), Is.EqualTo((Pool, "wg", Values.Tricky, "aws")));
        Assert.That((row["created"], row["expires"], row["last_modified"], row["last_checked"]), Is.EqualTo((created, expires, created, created)));
        Assert.That((row["state"], row["capacity"], row["etag"]), Is.EqualTo(("requested", 4, etag)));
        Assert.That(Json.Same(row["provider_data"], Values.TrickyJson()), Is.True, (string)row["provider_data"]!);
    }

    [Test]
    public async Task Creating_an_existing_worker_is_a_unique_violation_and_missing_workers_give_nothing()
    {
        await CreateAsync(Pool, "wg", "w", "running");

        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateAsync(Pool, "wg", "w", "running"));
        Assert.DoesNotThrowAsync(() => CreateAsync("other/pool", "wg", "w", "running"), "the same worker id in another pool");
        Assert.That(await Wm.CallAsync("get_worker", Pool, "wg", "missing"), Is.Empty);
        Assert.DoesNotThrowAsync(() => Wm.CallAsync("delete_worker", Pool, "wg", "missing"));

        await Wm.CallAsync("delete_worker", Pool, "wg", "w");
        Assert.That(await Wm.CallAsync("get_worker", Pool, "wg", "w"), Is.Empty);
        Assert.That(await Wm.CallAsync("get_worker", "other/pool", "wg", "w"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Update_worker_keeps_what_is_null_and_checks_the_etag()
    {
        var etag = await CreateAsync(Pool, "wg", "w", "requested");
        var checkedAt = Times.Now().AddMinutes(1);

        var updated = (await UpdateAsync("w", "running", 8, checkedAt, etag)).Single();

        Assert.That((updated["state"], updated["capacity"], updated["last_checked"]), Is.EqualTo(("running", 8, checkedAt)));
        Assert.That(updated["provider_id"], Is.EqualTo("aws"));
        Assert.That(Json.Same(updated["provider_data"], Values.TrickyJson()), Is.True);
        Assert.That(updated["etag"], Is.Not.EqualTo(etag));
        Assert.That(await Wm.CallAsync("get_worker", Pool, "wg", "w"), Is.EqualTo(new[] { updated }));

        var error = await AssertSqlStateAsync("P0004", () => UpdateAsync("w", "stopping", null, null, etag));
        Assert.That(error.Message, Does.Contain("unsuccessful update"));
        await AssertSqlStateAsync("P0002", () => UpdateAsync("missing", "stopping", null, null, null));
        var unconditional = (await UpdateAsync("w", "stopping", null, null, null)).Single();
        Assert.That((unconditional["state"], unconditional["capacity"]), Is.EqualTo(("stopping", 8)));
    }

    [Test]
    public async Task Workers_filter_by_pool_and_state_and_page_across_all_three_key_columns()
    {
        var expected = new List<(string, string, string)>();
        foreach (var pool in new[] { "p/a", "p/b" })
        {
            foreach (var group in new[] { "g1", "g2" })
            {
                expected.Add((pool, group, $"00-{faker.Internet.DomainWord()}"));
                expected.Add((pool, group, $"01-{faker.Internet.DomainWord()}"));
            }
        }

        foreach (var (pool, group, id) in expected.AsEnumerable().Reverse())
        {
            await CreateAsync(pool, group, id, "running");
        }

        await CreateAsync("p/a", "g1", "02-stopped", "stopped");

        var running = await Wm.PaginateByIndexAsync(
                "get_workers", new Dictionary<string, object?> { ["worker_pool_id_in"] = null, ["state_in"] = "running" }, ["worker_pool_id", "worker_group", "worker_id"], pageSize: 3)
            .Select(r => ((string)r["worker_pool_id"]!, (string)r["worker_group"]!, (string)r["worker_id"]!)).ToListAsync();
        var poolB = await Wm.PaginateByIndexAsync(
                "get_workers", new Dictionary<string, object?> { ["worker_pool_id_in"] = "p/b", ["state_in"] = null }, ["worker_pool_id", "worker_group", "worker_id"], pageSize: 3)
            .Select(r => ((string)r["worker_pool_id"]!, (string)r["worker_group"]!, (string)r["worker_id"]!)).ToListAsync();

        Assert.That(running, Is.EqualTo(expected));
        Assert.That(poolB, Is.EqualTo(expected.Where(w => w.Item1 == "p/b")));
        Assert.That((await Wm.CallAsync("get_workers", "p/a", "stopped", 10, null, null, null)).Select(r => r["worker_id"]), Is.EqualTo(new[] { "02-stopped" }));
    }

    [Test]
    public async Task Expire_workers_deletes_only_stopped_workers_past_their_expiry()
    {
        await CreateAsync(Pool, "wg", "stopped-old", "stopped", Times.Now().AddMinutes(-1));
        await CreateAsync(Pool, "wg", "running-old", "running", Times.Now().AddMinutes(-1));
        await CreateAsync(Pool, "wg", "stopped-new", "stopped", Times.Now().AddDays(1));

        Assert.That((await Wm.CallAsync("expire_workers", Times.Now())).Single()["expire_workers"], Is.EqualTo(1));

        var left = await Wm.CallAsync("get_workers", Pool, null, 10, null, null, null);
        Assert.That(left.Select(r => r["worker_id"]), Is.EqualTo(new[] { "running-old", "stopped-new" }));
    }

    [Test]
    public async Task Other_services_cannot_write_workers_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("delete_worker", Pool, "wg", "w"));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("wmworkers_entities_remove", Pool, WorkerKey));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("get_worker", Pool, "wg", "w"));
    }

    [TestCase("wg")]
    [TestCase("wg~w~x")]
    [TestCase("")]
    public async Task Worker_entity_row_keys_that_are_not_group_tilde_id_are_refused(string rowKey)
    {
        var error = await AssertSqlStateAsync(
            SqlStates.InvalidParameterValue, () => Wm.CallAsync("wmworkers_entities_create", Pool, rowKey, WorkerEntity(Pool, "wg~w", Times.Now()), false, 1));

        Assert.That(error.Message, Does.Contain("must be the worker pool id and `<workerGroup>~<workerId>`"));
        Assert.That(await ScalarAsync<long>("select count(*) from workers"), Is.Zero);
    }

    [Test]
    public async Task Entity_keys_that_only_look_like_a_worker_find_nothing()
    {
        await CreateAsync(Pool, "wg", "w", "running");

        foreach (var rowKey in new[] { "wg~w~", "wg", "wg~w~x", "wg/w" })
        {
            Assert.That(await Wm.CallAsync("wmworkers_entities_load", Pool, rowKey), Is.Empty, rowKey);
            Assert.That(await Wm.CallAsync("wmworkers_entities_scan", Pool, rowKey, null, null, null), Is.Empty, rowKey);
            Assert.That(await Wm.CallAsync("wmworkers_entities_remove", Pool, rowKey), Is.Empty, rowKey);
        }

        Assert.That(await Wm.CallAsync("wmworkers_entities_load", Pool, "wg~w"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        var time = Times.Now().AddDays(2);
        await Wm.CallAsync("create_worker", Pool, "wg", Values.Tricky, "aws", time, time, "running", Values.TrickyJson(), 1, time, time);

        var entity = (await Wm.CallAsync("wmworkers_entities_load", Pool, WorkerKey)).Single();
        Assert.That(Json.Same(entity["value"], WorkerEntity(Pool, WorkerKey, time)), Is.True, (string)entity["value"]!);

        var etag = (await Wm.CallAsync("wmworkers_entities_create", "p2", "g2~w2", WorkerEntity("p2", "g2~w2", time), false, 1)).Single()["wmworkers_entities_create"];
        var typed = (await Wm.CallAsync("get_worker", "p2", "g2", "w2")).Single();
        Assert.That((typed["state"], typed["capacity"], typed["expires"], typed["etag"]), Is.EqualTo(("running", 1, time, etag)));
        Assert.That(Json.Same(typed["provider_data"], Values.TrickyJson()), Is.True);
    }

    private async Task<Guid> CreateAsync(string pool, string group, string id, string state, DateTime? expires = null) =>
        (Guid)(await Wm.CallAsync("create_worker", pool, group, id, "aws", Times.Now(), expires ?? Times.Now().AddDays(1), state, Values.TrickyJson(), 1, Times.Now(), Times.Now()))
            .Single()["create_worker"]!;

    private Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> UpdateAsync(string id, string? state, int? capacity, DateTime? lastChecked, object? etag) =>
        Wm.CallAsync("update_worker", Pool, "wg", id, null, null, null, state, null, capacity, null, lastChecked, etag);

    /// <summary>A Worker entity of worker pool <paramref name="pool"/> and row key <c>&lt;workerGroup&gt;~&lt;workerId&gt;</c>.</summary>
    private static JsonObject WorkerEntity(string pool, string rowKey, DateTime time)
    {
        var worker = rowKey.Split('~');
        return new JsonObject
        {
            ["workerPoolId"] = pool,
            ["workerGroup"] = worker[0],
            ["workerId"] = worker[1],
            ["providerId"] = "aws",
            ["created"] = Times.JsIso(time),
            ["expires"] = Times.JsIso(time),
            ["state"] = "running",
            ["providerData"] = Values.TrickyJson(),
            ["capacity"] = 1,
            ["lastModified"] = Times.JsIso(time),
            ["lastChecked"] = Times.JsIso(time),
        };
    }
}
