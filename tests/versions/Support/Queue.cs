using NUnit.Framework;
using Tcdb.Verification;

namespace Tcdb.Versions.Tests.Support;

/// <summary>Seeds tasks through <c>create_task</c> and checks the queue still serves them, for the task-queue versions (9 to 12).</summary>
public static class Queue
{
    /// <summary>
    /// Creates <paramref name="count"/> realistic tasks in a few task groups and task queues through
    /// <c>create_task</c>, scheduling every other one.
    /// </summary>
    public static async Task<IReadOnlyList<TaskSeed>> SeedTasksAsync(VersionContext db, int seed, int count, DateTime now)
    {
        var f = Realistic.Faker(seed);
        var groups = Enumerable.Range(0, 4).Select(_ => Slugid.Next(f)).ToArray();
        var queues = Enumerable.Range(0, 5).Select(_ => Realistic.TaskQueue(f)).Distinct().ToArray();
        var tasks = new List<TaskSeed>();
        await using var queue = await db.ClientAsync("queue");
        for (var i = 0; i < count; i++)
        {
            var task = Realistic.Task(f, groups[i % groups.Length], queues[i % queues.Length], now) with { Deadline = now.AddDays(1) };
            await queue.CallAtVersionAsync(db, "create_task", task.CreateTaskArgs());
            if (i % 2 == 0)
            {
                var runs = (await queue.CallAtVersionAsync(db, "schedule_task", task.TaskId.Slug, "scheduled")).Single()["runs"];
                task = task with { Runs = (string)runs! };
            }

            tasks.Add(task);
        }

        return tasks;
    }

    /// <summary>
    /// Reads every task of <paramref name="tasks"/>' groups through <c>get_tasks_by_task_group</c> (paginated, as the
    /// queue lists a task group) and asserts each seeded task is served with its provisioner, worker type and payload.
    /// </summary>
    public static async Task AssertServedAsync(VersionContext db, IReadOnlyList<TaskSeed> tasks, string when)
    {
        await using var queue = await db.ClientAsync("queue");
        var served = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var group in tasks.Select(t => t.TaskGroupId.Slug).Distinct())
        {
            await foreach (var row in queue.PaginateByIndexAsync("get_tasks_by_task_group", new Dictionary<string, object?> { ["task_group_id_in"] = group }, ["task_id"], pageSize: 25))
            {
                Assert.That(served.TryAdd((string)row["task_id"]!, row), Is.True, $"{when}: task {row["task_id"]} listed twice");
            }
        }

        Assert.That(served.Keys, Is.EquivalentTo(tasks.Select(t => t.TaskId.Slug)), $"{when}: tasks listed by task group");
        foreach (var task in tasks)
        {
            var row = served[task.TaskId.Slug];
            Assert.That((row["provisioner_id"], row["worker_type"]), Is.EqualTo(((object)task.ProvisionerId, (object)task.WorkerType)), $"{when}: task queue of {task.TaskId}");
            Json.AssertSame(row["payload"], task.Payload, $"{when}: payload of {task.TaskId}");
            Json.AssertSame(row["runs"], task.Runs, $"{when}: runs of {task.TaskId}");
        }
    }

    /// <summary>Creates, reads and removes a task of its own: the queue accepts new work right now.</summary>
    public static async Task AssertAcceptsNewTaskAsync(VersionContext db, int seed, string when)
    {
        var f = Realistic.Faker(seed);
        var task = Realistic.Task(f, Slugid.Next(f), ("proj-online", "b-linux-1"), Times.Now());
        await using var queue = await db.ClientAsync("queue");
        await queue.CallAtVersionAsync(db, "create_task", task.CreateTaskArgs());
        var got = (await queue.CallAtVersionAsync(db, "get_task", task.TaskId.Slug)).Single();
        Assert.That((got["provisioner_id"], got["worker_type"]), Is.EqualTo(((object)"proj-online", (object)"b-linux-1")), $"{when}: a task created now is served");
        var entity = (await queue.CallAtVersionAsync(db, "queue_tasks_entities_load", task.TaskId.Slug, "task")).Single();
        var value = Json.Parse(entity["value"])!;
        Assert.That(((string?)value["provisionerId"], (string?)value["workerType"]), Is.EqualTo(("proj-online", "b-linux-1")), $"{when}: entity view of a task created now");
        Assert.That(await queue.CallAtVersionAsync(db, "queue_tasks_entities_remove", task.TaskId.Slug, "task"), Has.Count.EqualTo(1), $"{when}: remove");
    }
}
