using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 8: queue tasks move from <c>queue_tasks_entities</c> to the relational <c>tasks</c> table (phase 2):
/// uuid task group ids become slugids, the payload and extra buffers become jsonb, the epoch "no claim"
/// becomes null, and the task lifecycle methods (create, schedule, claim, resolve, cancel) are added. Seeds
/// realistic tasks (pending, running, completed; one payload spanning two buffer chunks) through the entity
/// method at version 7, checks every column and the compatibility entity methods after the upgrade, runs a
/// task through its lifecycle, and checks the downgrade rebuilds the entities.
/// </summary>
public sealed class V0008Test : VersionTest
{
    private const int Count = 40;
    private readonly List<(TaskSeed Task, string Properties, Guid Etag)> seeded = [];
    private readonly DateTime now = Times.Now();

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public.queue_tasks_entities"] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(8);
        var groups = Enumerable.Range(0, 4).Select(_ => Slugid.Next(f)).ToArray();
        var queues = Enumerable.Range(0, 3).Select(_ => Realistic.TaskQueue(f)).ToArray();
        await using var queue = await db.ClientAsync("queue");
        for (var i = 0; i < Count; i++)
        {
            var task = Realistic.Task(f, groups[i % groups.Length], queues[i % queues.Length], now);
            var scheduled = task.Created.AddSeconds(2);
            task = (i % 4) switch
            {
                1 => task with { Runs = Json.Text(new JsonArray(Realistic.PendingRun(0, scheduled))) },
                2 => task with
                {
                    Runs = Json.Text(new JsonArray(Realistic.RunningRun(0, scheduled, scheduled.AddMinutes(1), now.AddMinutes(20), "us-east-1", "i-0" + f.Random.Hash(16)))),
                    TakenUntil = now.AddMinutes(20),
                },
                3 => task with
                {
                    Runs = Json.Text(new JsonArray(Realistic.ResolvedRun(0, scheduled, scheduled.AddMinutes(1), scheduled.AddMinutes(31), "completed", "us-west-2", "i-0" + f.Random.Hash(16)))),
                    RetriesLeft = 4,
                    Dependencies = [.. seeded.TakeLast(2).Select(s => s.Task.TaskId.Slug)],
                },
                _ => task,
            };
            if (i == 5)
            {
                // A payload of ~100 KB: its base64 buffer needs two 64 KiB chunks.
                var payload = JsonNode.Parse(task.Payload)!.AsObject();
                payload["env"]!["HUGE"] = string.Concat(Enumerable.Range(0, 2000).Select(n => $"line {n}: C:\\build\\{n} \"ok\" ☃ "));
                task = task with { Payload = Json.Text(payload) };
            }

            // The buffers hold the JSON text as PostgreSQL renders jsonb, so the downgrade can rebuild the same bytes.
            var properties = await db.ValueAsync<string>(
                "select entity_buf_encode(entity_buf_encode($1::jsonb, 'payload', $2::jsonb::text), 'extra', $3::jsonb::text)::text",
                task.EntityPropertiesWithoutBuffers(), task.Payload, task.Extra);
            var etag = (Guid)(await queue.CallAtVersionAsync(db, "queue_tasks_entities_create", task.TaskId.Slug, "task", properties, false, 1)).Scalar()!;
            seeded.Add((task, properties, etag));
        }
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("tasks"), Is.False, "no tasks table at version 7");
        Assert.That(await db.ValueAsync<long>("select count(*) from queue_tasks_entities"), Is.EqualTo(Count));
        Assert.That(await db.ValueAsync<int>("select max((value ->> '__bufchunks_payload')::integer) from queue_tasks_entities"), Is.EqualTo(2), "one payload spans two chunks");
        await using var queue = await db.ClientAsync("queue");
        foreach (var (task, properties, etag) in seeded)
        {
            var row = (await queue.CallAtVersionAsync(db, "queue_tasks_entities_load", task.TaskId.Slug, "task")).Single();
            Assert.That((row["version"], row["etag"]), Is.EqualTo(((object)1, (object)etag)), task.TaskId.Slug);
            Json.AssertSame(row["value"], properties, $"entity of task {task.TaskId}");
        }
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("queue_tasks_entities"), Is.False, "queue_tasks_entities is dropped");
        var rows = (await db.RowsAsync(
            "select task_id, provisioner_id, worker_type, scheduler_id, task_group_id, dependencies, requires::text as requires, routes, priority::text as priority, " +
            "retries, retries_left, created, deadline, expires, scopes, payload, metadata, tags, extra, runs, taken_until, etag from tasks"))
            .ToDictionary(r => (string)r["task_id"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(seeded.Select(s => s.Task.TaskId.Slug)));
        foreach (var (task, _, etag) in seeded)
        {
            AssertTaskRow(rows[task.TaskId.Slug], task, $"tasks row {task.TaskId}");
            Assert.That(rows[task.TaskId.Slug]["etag"], Is.EqualTo(etag), $"tasks row {task.TaskId} keeps the entity etag");
        }

        await using var queue = await db.ClientAsync("queue");
        foreach (var (task, properties, etag) in seeded.Where((_, i) => i % 5 == 0))
        {
            AssertTaskRow((await queue.CallAtVersionAsync(db, "get_task", task.TaskId.Slug)).Single(), task, $"get_task {task.TaskId}");
            var entity = (await queue.CallAtVersionAsync(db, "queue_tasks_entities_load", task.TaskId.Slug, "task")).Single();
            Assert.That(entity["etag"], Is.EqualTo(etag));
            Json.AssertSame(entity["value"], properties, $"queue_tasks_entities_load of {task.TaskId} rebuilds the entity");
        }

        var group = seeded[0].Task.TaskGroupId.Slug;
        var inGroup = new List<string>();
        await foreach (var row in queue.PaginateByIndexAsync("get_tasks_by_task_group", new Dictionary<string, object?> { ["task_group_id_in"] = group }, ["task_id"], pageSize: 3))
        {
            inGroup.Add((string)row["task_id"]!);
        }

        Assert.That(inGroup, Is.EquivalentTo(seeded.Where(s => s.Task.TaskGroupId.Slug == group).Select(s => s.Task.TaskId.Slug)).And.Unique, "get_tasks_by_task_group, three per page");

        await RunLifecycleAsync(db, queue);
    }

    /// <summary>A task of its own through create, schedule, claim and resolve, another through cancel; both removed again.</summary>
    private async Task RunLifecycleAsync(VersionContext db, FunctionClient queue)
    {
        var f = Realistic.Faker(88);
        var task = Realistic.Task(f, seeded[0].Task.TaskGroupId, ("proj-releng", "b-linux-1"), now) with { Deadline = now.AddDays(1) };
        await queue.CallAtVersionAsync(db, "create_task", task.CreateTaskArgs());
        var scheduled = (await queue.CallAtVersionAsync(db, "schedule_task", task.TaskId.Slug, "scheduled")).Single();
        Assert.That((string?)Json.Parse(scheduled["runs"])![0]!["state"], Is.EqualTo("pending"), "schedule_task");
        Assert.That(await queue.CallAtVersionAsync(db, "schedule_task", task.TaskId.Slug, "scheduled"), Is.Empty, "a task is scheduled once");
        var takenUntil = now.AddMinutes(20);
        var claimed = (await queue.CallAtVersionAsync(db, "claim_task", task.TaskId.Slug, 0, "us-east-1", "i-0abc", "hint \\ ☃", takenUntil)).Single();
        Assert.That(claimed["taken_until"], Is.EqualTo(takenUntil), "claim_task");
        Assert.That((string?)Json.Parse(claimed["runs"])![0]!["hintId"], Is.EqualTo("hint \\ ☃"), "claim_task stores the hint byte for byte");
        var invalid = Assert.ThrowsAsync<DbFunctionException>(() => queue.CallAtVersionAsync(db, "resolve_task", task.TaskId.Slug, 0, "succeeded", "completed"));
        Assert.That(invalid!.SqlState, Is.EqualTo("22023"), "resolve_task refuses an unknown state");
        var resolved = (await queue.CallAtVersionAsync(db, "resolve_task", task.TaskId.Slug, 0, "completed", "completed")).Single();
        Assert.That(((string?)Json.Parse(resolved["runs"])![0]!["state"], resolved["taken_until"]), Is.EqualTo(("completed", (object?)null)), "resolve_task");

        var cancelled = Realistic.Task(f, seeded[0].Task.TaskGroupId, ("proj-releng", "b-linux-1"), now);
        await queue.CallAtVersionAsync(db, "create_task", cancelled.CreateTaskArgs());
        var runs = Json.Parse((await queue.CallAtVersionAsync(db, "cancel_task", cancelled.TaskId.Slug, "canceled")).Single()["runs"])!;
        Assert.That(((string?)runs[0]!["state"], (string?)runs[0]!["reasonResolved"]), Is.EqualTo(("exception", "canceled")), "cancel_task of an unscheduled task");

        foreach (var id in new[] { task.TaskId.Slug, cancelled.TaskId.Slug })
        {
            Assert.That(await queue.CallAtVersionAsync(db, "queue_tasks_entities_remove", id, "task"), Has.Count.EqualTo(1), "remove through the entity method");
        }
    }

    private static void AssertTaskRow(IReadOnlyDictionary<string, object?> row, TaskSeed task, string what)
    {
        Assert.That(
            new[] { row["provisioner_id"], row["worker_type"], row["scheduler_id"], row["task_group_id"], row["requires"], row["priority"], row["retries"], row["retries_left"] },
            Is.EqualTo(new object[] { task.ProvisionerId, task.WorkerType, task.SchedulerId, task.TaskGroupId.Slug, task.Requires, task.Priority, task.Retries, task.RetriesLeft }),
            what);
        Assert.That(new[] { row["created"], row["deadline"], row["expires"], row["taken_until"] }, Is.EqualTo(new object?[] { task.Created, task.Deadline, task.Expires, task.TakenUntil }), $"{what}: times");
        Json.AssertSame(row["dependencies"], Json.Text(Json.Strings(task.Dependencies)), $"{what}: dependencies");
        Json.AssertSame(row["routes"], Json.Text(Json.Strings(task.Routes)), $"{what}: routes");
        Json.AssertSame(row["scopes"], Json.Text(Json.Strings(task.Scopes)), $"{what}: scopes");
        Json.AssertSame(row["payload"], task.Payload, $"{what}: payload");
        Json.AssertSame(row["metadata"], task.Metadata, $"{what}: metadata");
        Json.AssertSame(row["tags"], task.Tags, $"{what}: tags");
        Json.AssertSame(row["extra"], task.Extra, $"{what}: extra");
        Json.AssertSame(row["runs"], task.Runs, $"{what}: runs");
    }
}
