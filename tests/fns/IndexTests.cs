using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The index service (v22): indexed tasks and namespaces, and their entities shims.</summary>
[TestFixture]
public sealed class IndexTests : FunctionTest
{
    private const string Namespace = "gecko.v2." + Values.Tricky;

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("index", "indexed_tasks_entities_load", "indexed_tasks_entities_create", "indexed_tasks_entities_modify", "indexed_tasks_entities_remove", "indexed_tasks_entities_scan"),
            i => $"{i:D3}.{Namespace}",
            "linux64-opt",
            key => new JsonObject
            {
                ["namespace"] = key, ["name"] = "linux64-opt", ["rank"] = 1595000000, ["taskId"] = Slugid.Ordered(3).Slug,
                ["data"] = Values.TrickyJson(), ["expires"] = Times.JsIso(Times.Now().AddDays(1)),
            },
            "data"),
        new(
            new("index", "namespaces_entities_load", "namespaces_entities_create", "namespaces_entities_modify", "namespaces_entities_remove", "namespaces_entities_scan"),
            i => $"{i:D3}.{Namespace}",
            Values.Tricky,
            key => new JsonObject { ["parent"] = key, ["name"] = Values.Tricky, ["expires"] = Times.JsIso(Times.Now().AddDays(1)) },
            "name"),
    ];

    private FunctionClient Index => Client("index");

    [Test]
    public async Task Upsert_then_get_indexed_task_round_trips_every_column()
    {
        var expires = Times.Now().AddDays(365);

        var stored = (await Index.CallAsync("upsert_indexed_task", Namespace, Values.Tricky, 17, "taskA", Values.TrickyJson(), expires)).Single();
        var row = (await Index.CallAsync("get_indexed_task", Namespace, Values.Tricky)).Single();

        Assert.That(row, Is.EqualTo(stored));
        Assert.That((row["namespace"], row["name"], row["rank"], row["task_id"], row["expires"]), Is.EqualTo((Namespace, Values.Tricky, 17, "taskA", expires)));
        Assert.That(Json.Same(row["data"], Values.TrickyJson()), Is.True, (string)row["data"]!);
        Assert.That(await Index.CallAsync("get_indexed_task", Namespace, "missing"), Is.Empty);
    }

    [Test]
    public async Task A_lower_rank_never_replaces_a_higher_one_and_an_equal_rank_does()
    {
        var expires = Times.Now().AddDays(1);
        await Index.CallAsync("upsert_indexed_task", Namespace, "n", 10, "high", new JsonObject(), expires);

        var kept = (await Index.CallAsync("upsert_indexed_task", Namespace, "n", 9, "low", new JsonObject(), expires)).Single();
        Assert.That(kept["task_id"], Is.EqualTo("high"), "the lower rank returns what the name holds");
        var replaced = (await Index.CallAsync("upsert_indexed_task", Namespace, "n", 10, "same-rank", new JsonObject { ["v"] = 2 }, expires.AddDays(1))).Single();
        Assert.That((replaced["task_id"], replaced["expires"]), Is.EqualTo(("same-rank", expires.AddDays(1))));
        Assert.That(await ScalarAsync<long>("select count(*) from indexed_tasks"), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_upserts_leave_the_highest_rank()
    {
        var expires = Times.Now().AddDays(1);
        var ranks = Enumerable.Range(0, 12).OrderBy(_ => Guid.NewGuid()).ToList();

        await Task.WhenAll(ranks.Select(rank => Index.CallAsync("upsert_indexed_task", Namespace, "raced", rank, $"task-{rank}", new JsonObject(), expires)));

        Assert.That((await Index.CallAsync("get_indexed_task", Namespace, "raced")).Single()["task_id"], Is.EqualTo("task-11"));
    }

    [Test]
    public async Task Get_indexed_tasks_pages_one_namespace_in_name_order()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"{i:D2}-{Values.Tricky}").ToList();
        foreach (var name in names.AsEnumerable().Reverse())
        {
            await Index.CallAsync("upsert_indexed_task", Namespace, name, 1, "t", new JsonObject(), Times.Now().AddDays(1));
        }

        await Index.CallAsync("upsert_indexed_task", Namespace + ".child", "x", 1, "t", new JsonObject(), Times.Now().AddDays(1));

        var seen = await Index.PaginateByIndexAsync("get_indexed_tasks", new Dictionary<string, object?> { ["namespace_in"] = Namespace }, ["name"], pageSize: 3)
            .Select(r => (string)r["name"]!).ToListAsync();

        Assert.That(seen, Is.EqualTo(names));
    }

    [Test]
    public async Task Expire_indexed_tasks_deletes_only_expired_entries()
    {
        await Index.CallAsync("upsert_indexed_task", Namespace, "old", 1, "t", new JsonObject(), Times.Now().AddMinutes(-1));
        await Index.CallAsync("upsert_indexed_task", Namespace, "live", 1, "t", new JsonObject(), Times.Now().AddDays(1));

        Assert.That((await Index.CallAsync("expire_indexed_tasks")).Single()["expire_indexed_tasks"], Is.EqualTo(1));
        Assert.That(await Index.CallAsync("get_indexed_task", Namespace, "old"), Is.Empty);
        Assert.That(await Index.CallAsync("get_indexed_task", Namespace, "live"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Upsert_index_namespace_keeps_the_later_expiry()
    {
        var expires = Times.Now().AddDays(10);
        await Index.CallAsync("upsert_index_namespace", string.Empty, Values.Tricky, expires);

        var earlier = (await Index.CallAsync("upsert_index_namespace", string.Empty, Values.Tricky, expires.AddDays(-5))).Single();
        Assert.That(earlier["expires"], Is.EqualTo(expires), "an earlier expiry does not shorten the namespace's life");
        var later = (await Index.CallAsync("upsert_index_namespace", string.Empty, Values.Tricky, expires.AddDays(5))).Single();
        Assert.That(later["expires"], Is.EqualTo(expires.AddDays(5)));

        var row = (await Index.CallAsync("get_index_namespace", string.Empty, Values.Tricky)).Single();
        Assert.That((row["parent"], row["name"], row["expires"], row["etag"]), Is.EqualTo((string.Empty, Values.Tricky, expires.AddDays(5), later["etag"])));
        Assert.That(await Index.CallAsync("get_index_namespace", "gecko", Values.Tricky), Is.Empty);
    }

    [Test]
    public async Task Get_index_namespaces_pages_the_children_of_one_parent()
    {
        var children = Enumerable.Range(0, 5).Select(i => $"{(char)('a' + i)}{Values.Tricky}").ToList();
        foreach (var child in children)
        {
            await Index.CallAsync("upsert_index_namespace", "gecko.v2", child, Times.Now().AddDays(1));
        }

        await Index.CallAsync("upsert_index_namespace", "gecko", "v2", Times.Now().AddDays(1));

        var seen = await Index.PaginateByIndexAsync("get_index_namespaces", new Dictionary<string, object?> { ["parent_in"] = "gecko.v2" }, ["name"], pageSize: 2)
            .Select(r => (string)r["name"]!).ToListAsync();
        Assert.That(seen, Is.EqualTo(children));
    }

    [Test]
    public async Task Expire_index_namespaces_deletes_only_expired_namespaces()
    {
        await Index.CallAsync("upsert_index_namespace", "gecko", "old", Times.Now().AddMinutes(-1));
        await Index.CallAsync("upsert_index_namespace", "gecko", "live", Times.Now().AddDays(1));

        Assert.That((await Index.CallAsync("expire_index_namespaces")).Single()["expire_index_namespaces"], Is.EqualTo(1));
        Assert.That((await Index.CallAsync("get_index_namespaces", "gecko", 10, null)).Select(r => r["name"]), Is.EqualTo(new[] { "live" }));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        var stored = (await Index.CallAsync("upsert_indexed_task", Namespace, "n", 3, "t", Values.TrickyJson(), Times.Now().AddDays(1))).Single();

        var entity = (await Index.CallAsync("indexed_tasks_entities_load", Namespace, "n")).Single();
        Assert.That(entity["etag"], Is.EqualTo(stored["etag"]));
        Assert.That(Json.Parse(entity["value"])!["rank"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(await Index.CallAsync("namespaces_entities_scan", null, null, null, null, null), Is.Empty);
    }

    [Test]
    public async Task Other_services_cannot_write_the_index_nor_read_it_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("upsert_indexed_task", Namespace, "n", 1, "t", new JsonObject(), Times.Now()));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("get_indexed_task", Namespace, "n"));
        await AssertSqlStateAsync("42501", () => Client("hooks").CallAsync("get_index_namespaces", "gecko", 10, null));
    }
}
