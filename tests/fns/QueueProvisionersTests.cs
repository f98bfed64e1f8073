using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>
/// The queue's task queues (the entities' worker types) and provisioners (v17): relational tables, their methods and
/// their entities shims.
/// </summary>
[TestFixture]
public sealed class QueueProvisionersTests : FunctionTest
{
    private const string WorkerType = "wt-" + Values.Tricky;

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("queue", "queue_worker_types_entities_load", "queue_worker_types_entities_create", "queue_worker_types_entities_modify", "queue_worker_types_entities_remove", "queue_worker_types_entities_scan"),
            i => $"{i:D3}-{Values.Tricky}",
            WorkerType,
            key => WorkerTypeEntity(key, WorkerType, Times.Now().AddDays(1)),
            "description"),
        new(
            new("queue", "queue_provisioners_entities_load", "queue_provisioners_entities_create", "queue_provisioners_entities_modify", "queue_provisioners_entities_remove", "queue_provisioners_entities_scan"),
            i => $"{i:D3}-{Values.Tricky}",
            "provisioner",
            key => ProvisionerEntity(key, Times.Now().AddDays(1)),
            "actions"),
    ];

    private readonly Faker faker = new();

    private FunctionClient Queue => Client("queue");

    [Test]
    public async Task A_task_queue_seen_for_the_first_time_is_created_experimental_and_active_now()
    {
        var expires = Times.Now().AddDays(1);
        var before = await ScalarAsync<DateTime>("select now()");

        await Queue.CallAsync("task_queue_seen", "prov/" + WorkerType, expires, null, null);

        var row = (await Queue.CallAsync("get_task_queue", "prov/" + WorkerType)).Single();
        Assert.That(row["task_queue_id"], Is.EqualTo("prov/" + WorkerType));
        Assert.That(row["expires"], Is.EqualTo(expires));
        Assert.That(row["description"], Is.EqualTo(string.Empty));
        Assert.That(row["stability"], Is.EqualTo("experimental"));
        Assert.That((DateTime)row["last_date_active"]!, Is.GreaterThanOrEqualTo(before));
        Assert.That(await Queue.CallAsync("get_task_queue", "prov/missing"), Is.Empty);
    }

    [Test]
    public async Task Seeing_a_task_queue_again_only_extends_expiry_and_keeps_what_is_not_given()
    {
        const string id = "prov/wt";
        var later = Times.Now().AddDays(10);
        await Queue.CallAsync("task_queue_seen", id, later, Values.Tricky, "stable");
        await ExecuteAsync("update task_queues set last_date_active = now() - interval '1 day'");
        var etag = (await Queue.CallAsync("get_task_queue", id)).Single()["etag"];

        await Queue.CallAsync("task_queue_seen", id, Times.Now().AddDays(1), null, null);

        var row = (await Queue.CallAsync("get_task_queue", id)).Single();
        Assert.That(row["expires"], Is.EqualTo(later), "an earlier expiry never shortens the queue");
        Assert.That(row["description"], Is.EqualTo(Values.Tricky));
        Assert.That(row["stability"], Is.EqualTo("stable"));
        Assert.That((DateTime)row["last_date_active"]!, Is.GreaterThan(DateTime.UtcNow.AddHours(-1)));
        Assert.That(row["etag"], Is.Not.EqualTo(etag));

        var evenLater = Times.Now().AddDays(20);
        await Queue.CallAsync("task_queue_seen", id, evenLater, "new", "deprecated");
        row = (await Queue.CallAsync("get_task_queue", id)).Single();
        Assert.That((row["expires"], row["description"], row["stability"]), Is.EqualTo((evenLater, "new", "deprecated")));
    }

    [Test]
    public async Task Task_queues_filter_by_provisioner_and_expiry_and_page_across_boundaries()
    {
        var ids = Enumerable.Range(0, 5).Select(i => $"prov/{i:D2}-{faker.Hacker.Abbreviation()}").ToList();
        foreach (var id in ids)
        {
            await Queue.CallAsync("task_queue_seen", id, Times.Now().AddDays(1), null, null);
        }

        await Queue.CallAsync("task_queue_seen", "prov/zz-expired", Times.Now().AddDays(-1), null, null);
        await Queue.CallAsync("task_queue_seen", "provx/other", Times.Now().AddDays(1), null, null);

        var live = await Queue.PaginateByIndexAsync(
                "get_task_queues", new Dictionary<string, object?> { ["provisioner_id_in"] = "prov", ["expires_in"] = Times.Now() }, ["task_queue_id"], pageSize: 2)
            .Select(r => (string)r["task_queue_id"]!).ToListAsync();

        Assert.That(live, Is.EqualTo(ids));
        Assert.That(await Queue.CallAsync("get_task_queues", "prov", null, 100, null), Has.Count.EqualTo(6));
        Assert.That(await Queue.CallAsync("get_task_queues", null, null, 100, null), Has.Count.EqualTo(7));
    }

    [Test]
    public async Task Expire_task_queues_deletes_only_expired_queues()
    {
        await Queue.CallAsync("task_queue_seen", "prov/old", Times.Now().AddMinutes(-1), null, null);
        await Queue.CallAsync("task_queue_seen", "prov/new", Times.Now().AddDays(1), null, null);

        Assert.That((await Queue.CallAsync("expire_task_queues", Times.Now())).Single()["expire_task_queues"], Is.EqualTo(1));
        Assert.That(await Queue.CallAsync("get_task_queue", "prov/old"), Is.Empty);
        Assert.That(await Queue.CallAsync("get_task_queue", "prov/new"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_provisioner_seen_for_the_first_time_is_created_without_actions_and_never_shortened()
    {
        var later = Times.Now().AddDays(10);
        await Queue.CallAsync("queue_provisioner_seen", Values.Tricky, later);
        await Queue.CallAsync("queue_provisioner_seen", Values.Tricky, Times.Now().AddDays(1));

        var row = (await Queue.CallAsync("get_queue_provisioner", Values.Tricky)).Single();
        Assert.That(row["provisioner_id"], Is.EqualTo(Values.Tricky));
        Assert.That(row["expires"], Is.EqualTo(later));
        Assert.That(row["description"], Is.EqualTo(string.Empty));
        Assert.That(row["stability"], Is.EqualTo("experimental"));
        Assert.That(Json.Parse(row["actions"])!.AsArray(), Is.Empty);
        Assert.That(await Queue.CallAsync("get_queue_provisioner", "missing"), Is.Empty);
    }

    [Test]
    public async Task Update_queue_provisioner_replaces_description_stability_and_actions()
    {
        await Queue.CallAsync("queue_provisioner_seen", "p", Times.Now().AddDays(1));
        var before = (await Queue.CallAsync("get_queue_provisioner", "p")).Single();
        var actions = new JsonArray(new JsonObject { ["name"] = faker.Hacker.Verb(), ["url"] = faker.Internet.Url(), ["title"] = Values.Tricky });

        var updated = (await Queue.CallAsync("update_queue_provisioner", "p", Values.Tricky, "stable", actions)).Single();

        Assert.That(updated["description"], Is.EqualTo(Values.Tricky));
        Assert.That(updated["stability"], Is.EqualTo("stable"));
        Assert.That(Json.Same(updated["actions"], actions), Is.True, (string)updated["actions"]!);
        Assert.That(updated["expires"], Is.EqualTo(before["expires"]));
        Assert.That(updated["etag"], Is.Not.EqualTo(before["etag"]));
        Assert.That(await Queue.CallAsync("update_queue_provisioner", "missing", "d", "stable", new JsonArray()), Is.Empty);
    }

    [Test]
    public async Task Provisioners_filter_by_expiry_page_across_boundaries_and_expire()
    {
        var ids = Enumerable.Range(0, 5).Select(i => $"{i:D2}-{faker.Internet.DomainWord()}").ToList();
        foreach (var id in ids)
        {
            await Queue.CallAsync("queue_provisioner_seen", id, Times.Now().AddDays(1));
        }

        await Queue.CallAsync("queue_provisioner_seen", "zz-expired", Times.Now().AddMinutes(-1));

        var live = await Queue.PaginateByIndexAsync("get_queue_provisioners", new Dictionary<string, object?> { ["expires_in"] = Times.Now() }, ["provisioner_id"], pageSize: 2)
            .Select(r => (string)r["provisioner_id"]!).ToListAsync();
        Assert.That(live, Is.EqualTo(ids));
        Assert.That(await Queue.CallAsync("get_queue_provisioners", null, 100, null), Has.Count.EqualTo(6));

        Assert.That((await Queue.CallAsync("expire_queue_provisioners", Times.Now())).Single()["expire_queue_provisioners"], Is.EqualTo(1));
        Assert.That(await Queue.CallAsync("get_queue_provisioner", "zz-expired"), Is.Empty);
        Assert.That(await Queue.CallAsync("get_queue_provisioners", null, 100, null), Has.Count.EqualTo(5));
    }

    [Test]
    public async Task Other_services_cannot_write_task_queues_or_provisioners_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("worker_manager").CallAsync("task_queue_seen", "p/w", Times.Now(), null, null));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("worker_manager").CallAsync("update_queue_provisioner", "p", "d", "s", new JsonArray()));
        await AssertSqlStateAsync("42501", () => Client("worker_manager").CallAsync("get_task_queues", null, null, 10, null));
        await AssertSqlStateAsync("42501", () => Client("worker_manager").CallAsync("get_queue_provisioner", "p"));
    }

    [TestCase("prov/x", "wt")]
    [TestCase("prov", "wt/x")]
    [TestCase("prov", "wt/")]
    public async Task Worker_type_entity_keys_holding_a_slash_are_refused(string provisionerId, string workerType)
    {
        var error = await AssertSqlStateAsync(
            SqlStates.InvalidParameterValue, () => Queue.CallAsync("queue_worker_types_entities_create", provisionerId, workerType, WorkerTypeEntity("p", "w", Times.Now()), false, 1));

        Assert.That(error.Message, Does.Contain("must be a provisioner id and a worker type without `/`"));
        Assert.That(await ScalarAsync<long>("select count(*) from task_queues"), Is.Zero);
    }

    [TestCase("other")]
    [TestCase("Provisioner")]
    [TestCase("")]
    public async Task Provisioner_entity_row_keys_other_than_provisioner_are_refused(string rowKey)
    {
        var error = await AssertSqlStateAsync(
            SqlStates.InvalidParameterValue, () => Queue.CallAsync("queue_provisioners_entities_create", "p", rowKey, ProvisionerEntity("p", Times.Now()), false, 1));

        Assert.That(error.Message, Does.Contain("must be the provisioner id and `provisioner`"));
        Assert.That(await Queue.CallAsync("queue_provisioners_entities_load", "p", rowKey), Is.Empty);
    }

    [Test]
    public async Task Entity_keys_that_only_look_like_a_task_queue_find_nothing()
    {
        await Queue.CallAsync("task_queue_seen", "a/b", Times.Now().AddDays(1), null, null);

        Assert.That(await Queue.CallAsync("queue_worker_types_entities_load", "a/b", string.Empty), Is.Empty);
        Assert.That(await Queue.CallAsync("queue_worker_types_entities_load", string.Empty, "a/b"), Is.Empty);
        Assert.That(await Queue.CallAsync("queue_worker_types_entities_remove", "a/b", string.Empty), Is.Empty);
        Assert.That(await Queue.CallAsync("queue_worker_types_entities_load", "a", "b"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        var expires = Times.Now().AddDays(2);
        await Queue.CallAsync("task_queue_seen", "prov/" + WorkerType, expires, Values.Tricky, "experimental");
        await ExecuteAsync("update task_queues set last_date_active = $1", expires);
        await Queue.CallAsync("queue_provisioner_seen", "prov", expires);
        await Queue.CallAsync("update_queue_provisioner", "prov", Values.Tricky, "experimental", new JsonArray(Values.TrickyJson()));
        await ExecuteAsync("update queue_provisioners set last_date_active = $1", expires);

        var workerType = (await Queue.CallAsync("queue_worker_types_entities_load", "prov", WorkerType)).Single();
        var provisioner = (await Queue.CallAsync("queue_provisioners_entities_load", "prov", "provisioner")).Single();
        Assert.That(Json.Same(workerType["value"], WorkerTypeEntity("prov", WorkerType, expires)), Is.True, (string)workerType["value"]!);
        Assert.That(Json.Same(provisioner["value"], ProvisionerEntity("prov", expires)), Is.True, (string)provisioner["value"]!);

        await Queue.CallAsync("queue_worker_types_entities_create", "other", "wt", WorkerTypeEntity("other", "wt", expires), false, 1);
        await Queue.CallAsync("queue_provisioners_entities_create", "other", "provisioner", ProvisionerEntity("other", expires), false, 1);
        var queue = (await Queue.CallAsync("get_task_queue", "other/wt")).Single();
        var typed = (await Queue.CallAsync("get_queue_provisioner", "other")).Single();
        Assert.That((queue["description"], queue["expires"], queue["last_date_active"]), Is.EqualTo((Values.Tricky, expires, expires)));
        Assert.That(Json.Same(typed["actions"], new JsonArray(Values.TrickyJson())), Is.True);
    }

    private static JsonObject WorkerTypeEntity(string provisionerId, string workerType, DateTime expires) => new()
    {
        ["provisionerId"] = provisionerId,
        ["workerType"] = workerType,
        ["expires"] = Times.JsIso(expires),
        ["lastDateActive"] = Times.JsIso(expires),
        ["description"] = Values.Tricky,
        ["stability"] = "experimental",
    };

    private static JsonObject ProvisionerEntity(string provisionerId, DateTime expires) => new()
    {
        ["provisionerId"] = provisionerId,
        ["expires"] = Times.JsIso(expires),
        ["lastDateActive"] = Times.JsIso(expires),
        ["description"] = Values.Tricky,
        ["stability"] = "experimental",
        ["actions"] = new JsonArray(Values.TrickyJson()),
    };
}
