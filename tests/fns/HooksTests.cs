using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The hooks service (v21): hooks, their pulse queues and last fires, and their entities shims.</summary>
[TestFixture]
public sealed class HooksTests : FunctionTest
{
    private const string Group = "project-" + Values.Tricky;
    private const string HookId = "nightly/" + Values.Tricky;
    private const string FireTaskId = "fEfKHDnlS3SN8BTGTfEyAA";

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("hooks", "hooks_entities_load", "hooks_entities_create", "hooks_entities_modify", "hooks_entities_remove", "hooks_entities_scan"),
            i => $"{i:D3}-{Group}",
            HookId,
            key => HookEntity(key, HookId, Times.Now().AddDays(1)),
            "triggerSchema"),
        new(
            new("hooks", "queues_entities_load", "queues_entities_create", "queues_entities_modify", "queues_entities_remove", "queues_entities_scan"),
            i => $"{i:D3}-{Group}",
            HookId,
            key => new JsonObject { ["hookGroupId"] = key, ["hookId"] = HookId, ["queueName"] = $"hooks/{key}/{HookId}", ["bindings"] = Bindings() },
            "queueName"),
        new(
            new("hooks", "last_fire_3_entities_load", "last_fire_3_entities_create", "last_fire_3_entities_modify", "last_fire_3_entities_remove", "last_fire_3_entities_scan"),
            i => $"{i:D3}-{Group}~{HookId}",
            FireTaskId,
            key => new JsonObject
            {
                ["hookGroupId"] = key.Split('~')[0], ["hookId"] = key.Split('~')[1], ["firedBy"] = "schedule", ["taskId"] = FireTaskId,
                ["taskCreateTime"] = Times.JsIso(Times.Now()), ["result"] = "error", ["error"] = Values.Tricky,
            },
            "error"),
    ];

    private FunctionClient Hooks => Client("hooks");

    [Test]
    public async Task Create_then_get_hook_round_trips_every_column()
    {
        var next = Times.Now().AddHours(3);

        var created = (await CreateHookAsync(Group, HookId, next)).Single();
        var row = (await Hooks.CallAsync("get_hook", Group, HookId)).Single();

        Assert.That(row, Is.EqualTo(created));
        Assert.That((row["hook_group_id"], row["hook_id"], row["next_scheduled_date"]), Is.EqualTo((Group, HookId, next)));
        foreach (var column in new[] { "metadata", "task", "encrypted_trigger_token", "encrypted_next_task_id", "trigger_schema" })
        {
            Assert.That(Json.Same(row[column], Values.TrickyJson()), Is.True, $"{column}: {row[column]}");
        }

        Assert.That(Json.Same(row["bindings"], Bindings()), Is.True, (string)row["bindings"]!);
        Assert.That(Json.Same(row["schedule"], new JsonArray("0 0 9 * * 1-5")), Is.True, (string)row["schedule"]!);
    }

    [Test]
    public async Task A_hook_is_created_once_and_a_missing_hook_reads_as_nothing()
    {
        await CreateHookAsync(Group, HookId, Times.Now());

        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateHookAsync(Group, HookId, Times.Now()));
        Assert.That(await Hooks.CallAsync("get_hook", Group, "missing"), Is.Empty);
        Assert.That(await Hooks.CallAsync("get_hook", "missing", HookId), Is.Empty);
    }

    [Test]
    public async Task Update_hook_keeps_the_fields_given_as_null_and_fails_for_a_missing_hook()
    {
        var next = Times.Now().AddHours(1);
        await CreateHookAsync(Group, HookId, next);
        var etag = await ScalarAsync<Guid>("select etag from hooks");

        var later = next.AddDays(1);
        var updated = (await Hooks.CallAsync("update_hook", Group, HookId, null, new JsonObject { ["v"] = 2 }, null, new JsonArray(), null, null, later, null)).Single();

        Assert.That(Json.Same(updated["task"], new JsonObject { ["v"] = 2 }), Is.True);
        Assert.That(Json.Same(updated["schedule"], new JsonArray()), Is.True);
        Assert.That(Json.Same(updated["metadata"], Values.TrickyJson()), Is.True, "metadata kept");
        Assert.That(Json.Same(updated["bindings"], Bindings()), Is.True, "bindings kept");
        Assert.That(updated["next_scheduled_date"], Is.EqualTo(later));
        Assert.That(await ScalarAsync<Guid>("select etag from hooks"), Is.Not.EqualTo(etag), "an update makes a new etag");
        await AssertSqlStateAsync("P0002", () => Hooks.CallAsync("update_hook", Group, "missing", null, null, null, null, null, null, null, null));
    }

    [Test]
    public async Task Concurrent_updates_of_different_fields_both_take_effect()
    {
        await CreateHookAsync(Group, HookId, Times.Now());

        await Task.WhenAll(
            Hooks.CallAsync("update_hook", Group, HookId, new JsonObject { ["name"] = "renamed" }, null, null, null, null, null, null, null),
            Hooks.CallAsync("update_hook", Group, HookId, null, null, null, new JsonArray("0 30 * * * *"), null, null, null, null));

        var row = (await Hooks.CallAsync("get_hook", Group, HookId)).Single();
        Assert.That(Json.Same(row["metadata"], new JsonObject { ["name"] = "renamed" }), Is.True, (string)row["metadata"]!);
        Assert.That(Json.Same(row["schedule"], new JsonArray("0 30 * * * *")), Is.True, (string)row["schedule"]!);
    }

    [Test]
    public async Task Get_hooks_pages_across_boundaries_within_a_group_and_over_all_groups()
    {
        var keys = new List<(string Group, string Hook)>();
        foreach (var group in new[] { "a-group", "b-" + Values.Tricky })
        {
            for (var i = 0; i < 4; i++)
            {
                keys.Add((group, $"hook-{i}/{Values.Tricky}"));
                await CreateHookAsync(group, keys[^1].Hook, Times.Now());
            }
        }

        async Task<List<(string, string)>> PagesAsync(string? group) =>
            await Hooks.PaginateByIndexAsync("get_hooks", new Dictionary<string, object?> { ["hook_group_id_in"] = group }, ["hook_group_id", "hook_id"], pageSize: 3)
                .Select(r => ((string)r["hook_group_id"]!, (string)r["hook_id"]!)).ToListAsync();

        Assert.That(await PagesAsync(null), Is.EqualTo(keys));
        Assert.That(await PagesAsync("a-group"), Is.EqualTo(keys.Take(4)));
        Assert.That(await PagesAsync("missing"), Is.Empty);
    }

    [Test]
    public async Task Delete_hook_removes_only_that_hook_and_a_missing_hook_is_harmless()
    {
        await CreateHookAsync(Group, HookId, Times.Now());
        await CreateHookAsync(Group, "other", Times.Now());

        await Hooks.CallAsync("delete_hook", Group, HookId);
        Assert.DoesNotThrowAsync(() => Hooks.CallAsync("delete_hook", Group, HookId));

        Assert.That(await Hooks.CallAsync("get_hook", Group, HookId), Is.Empty);
        Assert.That(await Hooks.CallAsync("get_hook", Group, "other"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_hook_queue_is_created_once_rebound_paged_and_deleted()
    {
        var etag = (await Hooks.CallAsync("create_hooks_queue", Group, HookId, "hooks/" + Values.Tricky, Bindings())).Single()["create_hooks_queue"];
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => Hooks.CallAsync("create_hooks_queue", Group, HookId, "q", Bindings()));
        for (var i = 0; i < 4; i++)
        {
            await Hooks.CallAsync("create_hooks_queue", "g", $"h{i}", $"hooks/g/h{i}", new JsonArray());
        }

        var rebound = (await Hooks.CallAsync("update_hooks_queue_bindings", Group, HookId, new JsonArray())).Single();
        Assert.That(Json.Same(rebound["bindings"], new JsonArray()), Is.True);
        Assert.That(rebound["queue_name"], Is.EqualTo("hooks/" + Values.Tricky));
        Assert.That(rebound["etag"], Is.Not.EqualTo(etag));
        await AssertSqlStateAsync("P0002", () => Hooks.CallAsync("update_hooks_queue_bindings", Group, "missing", new JsonArray()));

        var names = await Hooks.PaginateByIndexAsync("get_hooks_queues", new Dictionary<string, object?>(), ["hook_group_id", "hook_id"], pageSize: 2)
            .Select(r => (string)r["queue_name"]!).ToListAsync();
        Assert.That(names, Is.EqualTo(new[] { "hooks/g/h0", "hooks/g/h1", "hooks/g/h2", "hooks/g/h3", "hooks/" + Values.Tricky }));

        await Hooks.CallAsync("delete_hooks_queue", Group, HookId);
        Assert.DoesNotThrowAsync(() => Hooks.CallAsync("delete_hooks_queue", Group, HookId));
        Assert.That(await Hooks.CallAsync("get_hooks_queues", 10, "g", "h3"), Is.Empty);
    }

    [Test]
    public async Task Last_fires_page_newest_first_across_ties_and_are_deleted_per_hook()
    {
        var start = Times.Now().AddHours(-2);
        var fires = new List<(DateTime Time, string TaskId)>();
        for (var i = 0; i < 7; i++)
        {
            // Pairs of firings share a creation time; the task id breaks the tie.
            fires.Add((start.AddMinutes(i / 2), Slugid.Ordered(i).Slug));
            await FireAsync(Group, HookId, fires[^1].TaskId, fires[^1].Time);
        }

        await FireAsync(Group, "other", Slugid.Random().Slug, start);
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => FireAsync(Group, HookId, fires[0].TaskId, start));

        var seen = await Hooks.PaginateByIndexAsync(
                "get_last_fires", new Dictionary<string, object?> { ["hook_group_id_in"] = Group, ["hook_id_in"] = HookId }, ["task_create_time", "task_id"], pageSize: 2)
            .Select(r => ((DateTime)r["task_create_time"]!, (string)r["task_id"]!)).ToListAsync();
        Assert.That(seen, Is.EqualTo(fires.OrderByDescending(f => f.Time).ThenByDescending(f => f.TaskId, StringComparer.Ordinal)));

        await Hooks.CallAsync("delete_last_fires", Group, HookId);
        Assert.That(await Hooks.CallAsync("get_last_fires", Group, HookId, 10, null, null), Is.Empty);
        Assert.That(await Hooks.CallAsync("get_last_fires", Group, "other", 10, null, null), Has.Count.EqualTo(1), "another hook's firings stay");
    }

    [Test]
    public async Task Expire_last_fires_deletes_firings_older_than_a_year()
    {
        await FireAsync(Group, HookId, "old", Times.Now().AddDays(-367));
        await FireAsync(Group, HookId, "recent", Times.Now().AddDays(-300));

        Assert.That((await Hooks.CallAsync("expire_last_fires")).Single()["expire_last_fires"], Is.EqualTo(1));
        Assert.That((await Hooks.CallAsync("get_last_fires", Group, HookId, 10, null, null)).Select(r => r["task_id"]), Is.EqualTo(new[] { "recent" }));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        await CreateHookAsync(Group, HookId, Times.Now());
        await FireAsync(Group, HookId, FireTaskId, Times.Now());

        var hook = (await Hooks.CallAsync("hooks_entities_load", Group, HookId)).Single();
        Assert.That(Json.Parse(hook["value"])!["hookId"]!.GetValue<string>(), Is.EqualTo(HookId));
        var fire = (await Hooks.CallAsync("last_fire_3_entities_load", $"{Group}~{HookId}", FireTaskId)).Single();
        Assert.That(Json.Parse(fire["value"])!["hookId"]!.GetValue<string>(), Is.EqualTo(HookId));
        Assert.That(await Hooks.CallAsync("last_fire_3_entities_load", Group, FireTaskId), Is.Empty, "a partition key without ~ names no firing");
        await AssertSqlStateAsync(SqlStates.InvalidParameterValue, () => Hooks.CallAsync("last_fire_3_entities_create", "no-separator", FireTaskId, new JsonObject(), false, 1));
    }

    [Test]
    public async Task Other_services_cannot_write_hooks_nor_read_them_without_grants()
    {
        await CreateHookAsync(Group, HookId, Times.Now());

        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("delete_hook", Group, HookId));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("get_hook", Group, HookId));
        await AssertSqlStateAsync("42501", () => Client("index").CallAsync("get_last_fires", Group, HookId, 10, null, null));
    }

    private Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CreateHookAsync(string group, string hookId, DateTime next) =>
        Hooks.CallAsync("create_hook", group, hookId, Values.TrickyJson(), Values.TrickyJson(), Bindings(), new JsonArray("0 0 9 * * 1-5"), Values.TrickyJson(), Values.TrickyJson(), next, Values.TrickyJson());

    private Task FireAsync(string group, string hookId, string taskId, DateTime created) =>
        Hooks.CallAsync("create_last_fire", group, hookId, "triggerHook", taskId, created, "success", string.Empty);

    private static JsonArray Bindings() => [new JsonObject { ["exchange"] = "exchange/taskcluster-queue/v1/task-completed", ["routingKeyPattern"] = "route." + Values.Tricky }];

    private static JsonObject HookEntity(string group, string hookId, DateTime next) => new()
    {
        ["hookGroupId"] = group,
        ["hookId"] = hookId,
        ["metadata"] = Values.TrickyJson(),
        ["task"] = Values.TrickyJson(),
        ["bindings"] = Bindings(),
        ["schedule"] = new JsonArray("0 0 9 * * 1-5"),
        ["triggerToken"] = Values.TrickyJson(),
        ["nextTaskId"] = Values.TrickyJson(),
        ["nextScheduledDate"] = Times.JsIso(next),
        ["triggerSchema"] = Values.TrickyJson(),
    };
}
