using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 12: <c>get_task_2</c> returns the task queue and the etag; <c>get_task</c> is deprecated (still in the
/// database, callable only through the client's deprecated entry point). No migration script. Seeds 30
/// realistic tasks at version 11 and checks both methods return the same task, get_task_2 with the row's etag.
/// </summary>
public sealed class V0012Test : VersionTest
{
    private IReadOnlyList<TaskSeed> tasks = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public.tasks"] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db) => tasks = await Queue.SeedTasksAsync(db, 12, 30, Times.Now());

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.FunctionExistsAsync("get_task_2"), Is.False, "get_task_2 before version 12");
        await Queue.AssertServedAsync(db, tasks, "at version 11");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        var etags = (await db.RowsAsync("select task_id, etag from tasks")).ToDictionary(r => (string)r["task_id"]!, r => r["etag"]);
        await using var queue = await db.ClientAsync("queue");
        foreach (var task in tasks)
        {
            var current = (await queue.CallAsync("get_task_2", task.TaskId.Slug)).Single();
            Assert.That(
                new[] { current["task_queue_id"], current["task_group_id"], current["scheduler_id"], current["created"], current["etag"] },
                Is.EqualTo(new object[] { task.TaskQueueId, task.TaskGroupId.Slug, task.SchedulerId, task.Created, etags[task.TaskId.Slug]! }),
                $"get_task_2 {task.TaskId}");
            Json.AssertSame(current["payload"], task.Payload, $"get_task_2 payload of {task.TaskId}");
            Json.AssertSame(current["runs"], task.Runs, $"get_task_2 runs of {task.TaskId}");

            var old = (await queue.Deprecated.CallAsync("get_task", task.TaskId.Slug)).Single();
            Assert.That((old["provisioner_id"], old["worker_type"], old["task_group_id"]), Is.EqualTo(((object)task.ProvisionerId, (object)task.WorkerType, (object)task.TaskGroupId.Slug)), $"deprecated get_task {task.TaskId}");
            Json.AssertSame(old["payload"], current["payload"] as string ?? "null", "both methods return the same payload");
        }

        Assert.That(await queue.CallAsync("get_task_2", "AAAAAAAAAAAAAAAAAAAAAA"), Is.Empty, "get_task_2 of an unknown task");
        var refused = Assert.ThrowsAsync<MethodNotAllowedException>(() => queue.CallAsync("get_task", tasks[0].TaskId.Slug));
        Assert.That(refused!.Message, Does.Contain("deprecated"), "get_task is reachable only through Deprecated");
    }
}
