using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>
/// The queue service: tasks and their runs, task groups, introspection, and the entity tables of both. Dependencies,
/// artifacts, task queues, provisioners and queue workers have their own classes.
/// </summary>
[TestFixture]
public sealed class QueueTests : FunctionTest
{
    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("queue", "queue_tasks_entities_load", "queue_tasks_entities_create", "queue_tasks_entities_modify", "queue_tasks_entities_remove", "queue_tasks_entities_scan"),
            i => Slugid.Ordered(i).Slug,
            "task",
            _ => TaskEntity(),
            "metadata"),
        new(
            new("queue", "queue_task_groups_entities_load", "queue_task_groups_entities_create", "queue_task_groups_entities_modify", "queue_task_groups_entities_remove", "queue_task_groups_entities_scan"),
            i => Slugid.Ordered(i).Slug,
            "taskGroup",
            _ => new JsonObject { ["schedulerId"] = Values.Tricky, ["expires"] = Times.JsIso(DateTime.UtcNow.AddDays(1)) },
            "schedulerId"),
    ];

    private readonly Faker faker = new();

    private FunctionClient Queue => Client("queue");

    [Test]
    public async Task Create_task_then_get_task_2_round_trips_text_and_jsonb()
    {
        var taskId = Slugid.Random().Slug;
        var deadline = Times.Now().AddHours(1);
        await CreateTaskAsync(taskId, Slugid.Random().Slug, deadline: deadline);

        var task = (await Queue.CallAsync("get_task_2", taskId)).Single();

        Assert.That(task["task_queue_id"], Is.EqualTo("prov/" + Values.Tricky));
        Assert.That(task["deadline"], Is.EqualTo(deadline));
        Assert.That(Json.Parse(task["payload"])!.ToJsonString(), Is.EqualTo(Values.TrickyJson().ToJsonString()));
        Assert.That(task["retries_left"], Is.EqualTo(5));
        Assert.That(Json.Parse(task["runs"])!.AsArray(), Is.Empty);
        Assert.That(task["etag"], Is.TypeOf<Guid>());
    }

    [Test]
    public async Task The_deprecated_get_task_is_only_reachable_through_the_deprecated_entry()
    {
        var taskId = Slugid.Random().Slug;
        await CreateTaskAsync(taskId, Slugid.Random().Slug);

        var task = (await Queue.Deprecated.CallAsync("get_task", taskId)).Single();

        Assert.That(task["provisioner_id"], Is.EqualTo("prov"));
        Assert.That(task["worker_type"], Is.EqualTo(Values.Tricky));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Queue.CallAsync("get_task", taskId));
    }

    [Test]
    public async Task Creating_an_existing_task_is_a_unique_violation_and_missing_tasks_give_nothing()
    {
        var taskId = Slugid.Random().Slug;
        await CreateTaskAsync(taskId, Slugid.Random().Slug);

        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateTaskAsync(taskId, Slugid.Random().Slug));
        Assert.That(await Queue.CallAsync("get_task_2", Slugid.Random().Slug), Is.Empty);
        Assert.That(await Queue.CallAsync("schedule_task", Slugid.Random().Slug, "scheduled"), Is.Empty);
        Assert.That(await Queue.CallAsync("cancel_task", Slugid.Random().Slug, "canceled"), Is.Empty);
    }

    [Test]
    public async Task A_task_runs_through_schedule_claim_and_resolve()
    {
        var taskId = Slugid.Random().Slug;
        await CreateTaskAsync(taskId, Slugid.Random().Slug);

        var scheduled = (await Queue.CallAsync("schedule_task", taskId, "scheduled")).Single();
        Assert.That(Json.Parse(scheduled["runs"])![0]!["state"]!.GetValue<string>(), Is.EqualTo("pending"));
        Assert.That(await Queue.CallAsync("schedule_task", taskId, "scheduled"), Is.Empty, "a second schedule changes nothing");

        var takenUntil = Times.Now().AddMinutes(20);
        var claimed = (await Queue.CallAsync("claim_task", taskId, 0, "wg", Values.Tricky, "hint", takenUntil)).Single();
        Assert.That(claimed["taken_until"], Is.EqualTo(takenUntil));
        Assert.That(await Queue.CallAsync("claim_task", taskId, 0, "wg", "other", "hint", takenUntil), Is.Empty, "a run is claimed once");

        await AssertSqlStateAsync(SqlStates.InvalidParameterValue, () => Queue.CallAsync("resolve_task", taskId, 0, "pending", "nope"));
        var resolved = (await Queue.CallAsync("resolve_task", taskId, 0, "completed", "completed")).Single();
        Assert.That(Json.Parse(resolved["runs"])![0]!["state"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(resolved["taken_until"], Is.Null);
        Assert.That(await Queue.CallAsync("resolve_task", taskId, 0, "failed", "again"), Is.Empty);
        Assert.That(await Queue.CallAsync("cancel_task", taskId, "too late"), Is.Empty);
    }

    [Test]
    public async Task Tasks_past_their_deadline_cannot_be_scheduled_or_claimed_and_are_not_pending()
    {
        var taskId = Slugid.Random().Slug;
        var queueId = "prov/" + Values.Tricky;
        await CreateTaskAsync(taskId, Slugid.Random().Slug);
        await Queue.CallAsync("schedule_task", taskId, "scheduled");
        Assert.That((await Queue.CallAsync("count_pending_tasks", queueId)).Single()["count_pending_tasks"], Is.EqualTo(1));

        await ExecuteAsync("update tasks set deadline = now() - interval '1 minute'");

        Assert.That(await Queue.CallAsync("claim_task", taskId, 0, "wg", "w", "h", Times.Now().AddMinutes(5)), Is.Empty);
        Assert.That((await Queue.CallAsync("count_pending_tasks", queueId)).Single()["count_pending_tasks"], Is.Zero);
        Assert.That(await Queue.CallAsync("get_pending_tasks", queueId, 10, null), Is.Empty);
    }

    [Test]
    public async Task Cancel_resolves_the_last_run_as_exception_and_leaves_the_pending_list()
    {
        var taskId = Slugid.Random().Slug;
        await CreateTaskAsync(taskId, Slugid.Random().Slug);
        await Queue.CallAsync("schedule_task", taskId, "scheduled");

        var canceled = (await Queue.CallAsync("cancel_task", taskId, "canceled")).Single();

        Assert.That(Json.Parse(canceled["runs"])![0]!["state"]!.GetValue<string>(), Is.EqualTo("exception"));
        Assert.That((await Queue.CallAsync("count_pending_tasks", "prov/" + Values.Tricky)).Single()["count_pending_tasks"], Is.Zero);
    }

    [Test]
    public async Task Pending_tasks_and_task_group_members_page_across_boundaries()
    {
        var group = Slugid.Random().Slug;
        var ids = Enumerable.Range(0, 5).Select(i => Slugid.Ordered(i).Slug).ToList();
        foreach (var id in ids)
        {
            await CreateTaskAsync(id, group);
            await Queue.CallAsync("schedule_task", id, "scheduled");
        }

        var members = await Queue.PaginateByIndexAsync("get_tasks_by_task_group", new Dictionary<string, object?> { ["task_group_id_in"] = group }, ["task_id"], pageSize: 2)
            .Select(r => (string)r["task_id"]!).ToListAsync();
        var pending = await Queue.PaginateByIndexAsync("get_pending_tasks", new Dictionary<string, object?> { ["task_queue_id_in"] = "prov/" + Values.Tricky }, ["task_id"], pageSize: 2)
            .Select(r => (string)r["task_id"]!).ToListAsync();

        Assert.That(members, Is.EqualTo(ids));
        Assert.That(pending, Is.EqualTo(ids));
    }

    [Test]
    public async Task Tasks_by_worker_and_compute_time_follow_the_runs()
    {
        var group = Slugid.Random().Slug;
        var ids = Enumerable.Range(0, 3).Select(i => Slugid.Ordered(i).Slug).ToList();
        foreach (var id in ids)
        {
            await CreateTaskAsync(id, group);
            await Queue.CallAsync("schedule_task", id, "scheduled");
            await Queue.CallAsync("claim_task", id, 0, "wg", Values.Tricky, "h", Times.Now().AddMinutes(5));
        }

        await Queue.CallAsync("resolve_task", ids[0], 0, "completed", "completed");
        var runs = await Queue.PaginateByIndexAsync(
                "get_tasks_by_worker", new Dictionary<string, object?> { ["worker_group_in"] = "wg", ["worker_id_in"] = Values.Tricky }, ["task_id", "run_id"], pageSize: 2)
            .ToListAsync();
        var compute = (await Queue.CallAsync("get_task_group_compute_time", group)).Single();

        Assert.That(runs.Select(r => r["task_id"]), Is.EqualTo(ids));
        Assert.That(runs.Select(r => r["state"]), Is.EqualTo(new[] { "completed", "running", "running" }));
        Assert.That(compute["task_count"], Is.EqualTo(3));
        Assert.That(compute["run_count"], Is.EqualTo(3));
        Assert.That((double)compute["compute_seconds"]!, Is.GreaterThanOrEqualTo(0));
        Assert.That((await Queue.CallAsync("get_task_group_compute_time", Slugid.Random().Slug)).Single()["task_count"], Is.Zero);
    }

    [Test]
    public async Task Ensure_task_group_creates_extends_and_guards_the_scheduler()
    {
        var group = Slugid.Random().Slug;
        var soon = Times.Now().AddDays(1);
        var later = Times.Now().AddDays(2);

        await Queue.CallAsync("ensure_task_group", group, Values.Tricky, later);
        await Queue.CallAsync("ensure_task_group", group, Values.Tricky, soon);

        var row = (await Queue.CallAsync("get_task_group", group)).Single();
        Assert.That(row["scheduler_id"], Is.EqualTo(Values.Tricky));
        Assert.That(row["expires"], Is.EqualTo(later), "an earlier expiry never shortens the group");
        var error = await AssertSqlStateAsync("P0004", () => Queue.CallAsync("ensure_task_group", group, "other-scheduler", later));
        Assert.That(error.Message, Does.Contain("task group exists with different scheduler_id"));
        Assert.That(await Queue.CallAsync("get_task_group", Slugid.Random().Slug), Is.Empty);
    }

    [Test]
    public async Task Expire_task_groups_deletes_only_expired_groups()
    {
        await Queue.CallAsync("ensure_task_group", "old", "s", Times.Now().AddDays(-1));
        await Queue.CallAsync("ensure_task_group", "new", "s", Times.Now().AddDays(1));

        var deleted = (await Queue.CallAsync("expire_task_groups", Times.Now())).Single()["expire_task_groups"];

        Assert.That(deleted, Is.EqualTo(1));
        Assert.That(await Queue.CallAsync("get_task_group", "old"), Is.Empty);
        Assert.That(await Queue.CallAsync("get_task_group", "new"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Other_services_cannot_write_tasks_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("auth").CallAsync("cancel_task", Slugid.Random().Slug, "x"));
        await AssertSqlStateAsync("42501", () => Client("auth").CallAsync("get_task_2", Slugid.Random().Slug));
    }

    private Task CreateTaskAsync(string taskId, string taskGroupId, DateTime? deadline = null) =>
        Queue.CallAsync(
            "create_task", taskId, "prov", Values.Tricky, "scheduler", taskGroupId, new JsonArray(), "all-completed", new JsonArray("route." + faker.Internet.DomainWord()),
            "normal", 5, Times.Now(), deadline ?? Times.Now().AddHours(1), Times.Now().AddDays(30), new JsonArray(), Values.TrickyJson(), new JsonObject { ["name"] = faker.Lorem.Sentence() },
            new JsonObject(), new JsonObject());

    private static JsonObject TaskEntity()
    {
        var properties = new JsonObject
        {
            ["provisionerId"] = "prov",
            ["workerType"] = "wt",
            ["schedulerId"] = "scheduler",
            ["taskGroupId"] = Guid.NewGuid().ToString(),
            ["dependencies"] = new JsonArray(),
            ["requires"] = "all-completed",
            ["routes"] = new JsonArray(),
            ["priority"] = "normal",
            ["retries"] = 5,
            ["retriesLeft"] = 5,
            ["created"] = Times.JsIso(DateTime.UtcNow),
            ["deadline"] = Times.JsIso(DateTime.UtcNow.AddHours(1)),
            ["expires"] = Times.JsIso(DateTime.UtcNow.AddDays(1)),
            ["scopes"] = new JsonArray(),
            ["metadata"] = Values.TrickyJson(),
            ["tags"] = new JsonObject(),
            ["runs"] = new JsonArray(),
            ["takenUntil"] = "1970-01-01T00:00:00.000Z",
        };
        EntityBuffers.With(properties, "payload", Values.TrickyJson().ToJsonString());
        return EntityBuffers.With(properties, "extra", "{}");
    }
}
