using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 11: read-only queue introspection: pending tasks per task queue (partial index), pending count,
/// runs by worker (GIN index on runs) and compute time per task group. Seeds 90 realistic tasks at version 10
/// in every run state (unscheduled, pending, pending past deadline, running, completed, retried, cancelled,
/// two runs by one worker) and checks each method's result against the same model computed in C#, paging
/// across page boundaries; the downgrade removes methods and indexes.
/// </summary>
public sealed class V0011Test : VersionTest
{
    private const int Count = 90;
    private static readonly string[] Methods = ["get_pending_tasks", "count_pending_tasks", "get_tasks_by_worker", "get_task_group_compute_time"];
    private static readonly (string Group, string Id)[] Workers = [("us-east-1", "i-0a1b2c3d4e5f"), ("us-west-2", "i-0f00ba7"), ("mdc1", "t-linux64-ms-042")];
    private readonly List<SeededTask> tasks = [];
    private readonly DateTime now = Times.Now();

    private sealed record SeededTask(TaskSeed Task, JsonArray Runs, bool PastDeadline)
    {
        public bool IsPending => !PastDeadline && Runs.Count > 0 && (string?)Runs[^1]!["state"] == "pending";
    }

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public.tasks"] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(11);
        var queues = new[] { ("proj-releng", "b-linux-1"), ("gecko-3", "b-win2012-4"), ("proj-taskcluster", "ci-2") };
        var groups = Enumerable.Range(0, 3).Select(_ => Slugid.Next(f)).ToArray();
        await using var queue = await db.ClientAsync("queue");
        for (var i = 0; i < Count; i++)
        {
            var task = Realistic.Task(f, groups[i % groups.Length], queues[f.Random.Number(0, queues.Length - 1)], now) with { Deadline = now.AddDays(1) };
            await queue.CallAtVersionAsync(db, "create_task", task.CreateTaskArgs());
            var scheduled = task.Created.AddSeconds(f.Random.Number(1, 30));
            var started = Times.Millis(scheduled.AddSeconds(f.Random.Double(5, 300)));
            var resolved = Times.Millis(started.AddSeconds(f.Random.Double(60, 3600)));
            var (group, id) = f.PickRandom(Workers);
            var pastDeadline = i % 8 == 2;
            var runs = (i % 8) switch
            {
                0 => new JsonArray(),
                1 or 2 => new JsonArray(Realistic.PendingRun(0, scheduled)),
                3 => new JsonArray(Realistic.RunningRun(0, scheduled, started, now.AddMinutes(20), group, id)),
                4 => new JsonArray(Realistic.ResolvedRun(0, scheduled, started, resolved, "completed", group, id)),
                5 => new JsonArray(Realistic.ResolvedRun(0, scheduled, started, resolved, "exception", group, id), Realistic.PendingRun(1, resolved, "retry")),
                6 => new JsonArray(CancelledRun(scheduled, resolved)),
                _ => new JsonArray(
                    Realistic.ResolvedRun(0, scheduled, started, resolved, "failed", group, id),
                    Realistic.ResolvedRun(1, resolved, resolved.AddSeconds(3), resolved.AddSeconds(1203.5), "completed", group, id)),
            };
            await db.RowsAsync(
                "update tasks set runs = $2::jsonb, deadline = $3 where task_id = $1",
                task.TaskId.Slug, Json.Text(runs), pastDeadline ? now.AddHours(-1) : task.Deadline);
            tasks.Add(new SeededTask(task with { Runs = Json.Text(runs) }, runs, pastDeadline));
        }
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        foreach (var method in Methods)
        {
            Assert.That(await db.FunctionExistsAsync(method), Is.False, $"{method} before version 11");
        }

        Assert.That(await db.TableExistsAsync("tasks_pending_idx") || await db.TableExistsAsync("tasks_runs_idx"), Is.False, "introspection indexes before version 11");
        Assert.That(await db.ValueAsync<long>("select count(*) from tasks"), Is.EqualTo(Count));
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("tasks_pending_idx") && await db.TableExistsAsync("tasks_runs_idx"), Is.True, "introspection indexes");
        await using var queue = await db.ClientAsync("queue");
        foreach (var taskQueue in tasks.Select(t => t.Task.TaskQueueId).Distinct())
        {
            var pending = tasks.Where(t => t.Task.TaskQueueId == taskQueue && t.IsPending).ToList();
            Assert.That(pending, Is.Not.Empty, $"the model has pending tasks in {taskQueue}");
            Assert.That((await queue.CallAsync("count_pending_tasks", taskQueue)).Scalar(), Is.EqualTo(pending.Count), $"count_pending_tasks {taskQueue}");

            var listed = new List<IReadOnlyDictionary<string, object?>>();
            await foreach (var row in queue.PaginateByIndexAsync("get_pending_tasks", new Dictionary<string, object?> { ["task_queue_id_in"] = taskQueue }, ["task_id"], pageSize: 4))
            {
                listed.Add(row);
            }

            Assert.That(listed.Select(r => r["task_id"]), Is.EquivalentTo(pending.Select(t => t.Task.TaskId.Slug)).And.Unique, $"get_pending_tasks {taskQueue}, four per page");
            var expected = pending.ToDictionary(t => t.Task.TaskId.Slug);
            foreach (var row in listed)
            {
                var task = expected[(string)row["task_id"]!];
                Assert.That(
                    new[] { row["priority"], row["created"], row["deadline"], row["scheduled"] },
                    Is.EqualTo(new object[] { task.Task.Priority, task.Task.Created, task.Task.Deadline, DateTime.Parse((string)task.Runs[^1]!["scheduled"]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal) }),
                    $"pending task {task.Task.TaskId}");
            }
        }

        Assert.That((await queue.CallAsync("count_pending_tasks", "no-such/queue")).Scalar(), Is.EqualTo(0), "an unknown queue has nothing pending");

        foreach (var (group, id) in Workers)
        {
            var expected = tasks
                .SelectMany(t => t.Runs.Select(r => r!.AsObject()).Where(r => (string?)r["workerGroup"] == group && (string?)r["workerId"] == id).Select(r => (t.Task.TaskId.Slug, Run: r)))
                .ToDictionary(x => (x.Slug, (int)x.Run["runId"]!), x => x.Run);
            var listed = new List<IReadOnlyDictionary<string, object?>>();
            await foreach (var row in queue.PaginateByIndexAsync("get_tasks_by_worker", new Dictionary<string, object?> { ["worker_group_in"] = group, ["worker_id_in"] = id }, ["task_id", "run_id"], pageSize: 3))
            {
                listed.Add(row);
            }

            Assert.That(listed.Select(r => ((string)r["task_id"]!, (int)r["run_id"]!)), Is.EquivalentTo(expected.Keys).And.Unique, $"get_tasks_by_worker {group}/{id}, three per page");
            foreach (var row in listed)
            {
                var run = expected[((string)row["task_id"]!, (int)row["run_id"]!)];
                Assert.That(row["state"], Is.EqualTo((string?)run["state"]), "run state");
                Assert.That(row["started"], Is.EqualTo(Time(run["started"])), "run started");
                Assert.That(row["resolved"], Is.EqualTo(Time(run["resolved"])), "run resolved");
            }
        }

        foreach (var group in tasks.Select(t => t.Task.TaskGroupId.Slug).Distinct())
        {
            var inGroup = tasks.Where(t => t.Task.TaskGroupId.Slug == group).ToList();
            var runs = inGroup.SelectMany(t => t.Runs.Select(r => r!.AsObject())).ToList();
            var seconds = runs.Where(r => r["started"] is not null && r["resolved"] is not null).Sum(r => (Time(r["resolved"])!.Value - Time(r["started"])!.Value).TotalSeconds);
            var row = (await queue.CallAsync("get_task_group_compute_time", group)).Single();
            Assert.That((row["task_count"], row["run_count"]), Is.EqualTo(((object)inGroup.Count, (object)runs.Count(r => r["started"] is not null))), $"task and run counts of {group}");
            Assert.That((double)row["compute_seconds"]!, Is.EqualTo(seconds).Within(0.001), $"compute seconds of {group}");
        }
    }

    private static JsonObject CancelledRun(DateTime scheduled, DateTime resolved) => new()
    {
        ["runId"] = 0,
        ["state"] = "exception",
        ["reasonCreated"] = "exception",
        ["reasonResolved"] = "canceled",
        ["scheduled"] = Times.JsIso(scheduled),
        ["resolved"] = Times.JsIso(resolved),
    };

    private static DateTime? Time(JsonNode? iso) =>
        iso is null ? null : DateTime.Parse((string)iso!, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
}
