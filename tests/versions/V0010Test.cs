using Npgsql;
using NUnit.Framework;
using Tcdb.Migration;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 10: tasks keep only <c>task_queue_id</c>; <c>provisioner_id</c> and <c>worker_type</c> are dropped
/// (instant) and a not-valid check keeps new rows complete. The downgrade re-adds the columns and refills them
/// by an online downgrade in batches while the restored methods read either form. Seeds 120 realistic tasks at
/// version 9, checks the queue serves them split from the task queue after the upgrade, and at each
/// checkpoint of the online downgrade and its interruption scenarios that every task is served right, the
/// refilled columns are right, and new tasks are accepted.
/// </summary>
public sealed class V0010Test : VersionTest
{
    private const int Count = 120;
    private IReadOnlyList<TaskSeed> tasks = [];
    private bool servedHalfRefilled;

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public.tasks"] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db) => tasks = await Queue.SeedTasksAsync(db, 10, Count, Times.Now());

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        var rows = (await db.RowsAsync("select task_id, task_queue_id, provisioner_id, worker_type from tasks")).ToDictionary(r => (string)r["task_id"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(tasks.Select(t => t.TaskId.Slug)));
        foreach (var task in tasks)
        {
            var row = rows[task.TaskId.Slug];
            Assert.That(
                (row["task_queue_id"], row["provisioner_id"], row["worker_type"]),
                Is.EqualTo(((object)task.TaskQueueId, (object)task.ProvisionerId, (object)task.WorkerType)),
                $"task queue columns of {task.TaskId} at version 9");
        }

        await Queue.AssertServedAsync(db, tasks, "at version 9");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.ColumnExistsAsync("tasks", "provisioner_id") || await db.ColumnExistsAsync("tasks", "worker_type"), Is.False, "provisioner_id and worker_type are dropped");
        var queues = (await db.RowsAsync("select task_id, task_queue_id from tasks")).ToDictionary(r => (string)r["task_id"]!, r => r["task_queue_id"]);
        Assert.That(queues, Is.EquivalentTo(tasks.ToDictionary(t => t.TaskId.Slug, t => (object?)t.TaskQueueId)), "task_queue_id of every task");
        await Queue.AssertServedAsync(db, tasks, "at version 10");
        await Queue.AssertAcceptsNewTaskAsync(db, 100, "at version 10");

        var incomplete = Assert.ThrowsAsync<PostgresException>(() => db.RowsAsync(
            "update tasks set task_queue_id = null where task_id = $1", tasks[0].TaskId.Slug));
        Assert.That((incomplete!.SqlState, incomplete.ConstraintName), Is.EqualTo(("23514", "tasks_task_queue_id_not_null")), "a task without a queue is refused");
    }

    protected override async Task CheckDuringOnlineWorkAsync(VersionContext db, OnlineDirection direction, OnlineCheckpoint checkpoint)
    {
        var when = $"{direction} {checkpoint}";
        Assert.That(direction, Is.EqualTo(OnlineDirection.Downgrade), "version 10 only has an online downgrade");
        var refilled = await db.RowsAsync("select task_id, provisioner_id, worker_type from tasks where provisioner_id is not null or worker_type is not null");
        var expected = tasks.ToDictionary(t => t.TaskId.Slug);
        foreach (var row in refilled)
        {
            var task = expected[(string)row["task_id"]!];
            Assert.That((row["provisioner_id"], row["worker_type"]), Is.EqualTo(((object)task.ProvisionerId, (object)task.WorkerType)), $"{when}: columns refilled for {task.TaskId}");
        }

        switch (checkpoint)
        {
            case OnlineCheckpoint.MidOnline:
                Assert.That(refilled, Has.Count.GreaterThan(20), $"{when}: the batches so far refilled their tasks");
                servedHalfRefilled |= refilled.Count < Count;
                break;
            case OnlineCheckpoint.Done:
                Assert.That(refilled, Has.Count.EqualTo(Count), $"{when}: every task refilled");
                Assert.That(servedHalfRefilled, Is.True, $"{when}: the queue was checked while some tasks were refilled and others not");
                break;
        }

        await Queue.AssertServedAsync(db, tasks, when);
        await Queue.AssertAcceptsNewTaskAsync(db, 101, when);
    }
}
