using NUnit.Framework;
using Tcdb.Migration;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 9: tasks get <c>task_queue_id</c> (provisioner id / worker type), added as a nullable column and
/// filled by an online migration in batches while the queue keeps running; the methods write it at once and
/// read either form. Seeds 120 realistic tasks at version 8 (twelve batches of ten), checks the queue serves
/// every task correctly and accepts new ones at each checkpoint of the online migration and its interruption
/// scenarios, that every task queue id is right at the end, and that the downgrade removes the column.
/// </summary>
public sealed class V0009Test : VersionTest
{
    private const int Count = 120;
    private IReadOnlyList<TaskSeed> tasks = [];
    private bool servedHalfMigrated;

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public.tasks"] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db) => tasks = await Queue.SeedTasksAsync(db, 9, Count, Times.Now());

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.ColumnExistsAsync("tasks", "task_queue_id"), Is.False, "no task_queue_id at version 8");
        Assert.That(await db.ValueAsync<long>("select count(*) from tasks"), Is.EqualTo(Count));
        await Queue.AssertServedAsync(db, tasks, "at version 8");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        var rows = (await db.RowsAsync("select task_id, task_queue_id, provisioner_id, worker_type from tasks")).ToDictionary(r => (string)r["task_id"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(tasks.Select(t => t.TaskId.Slug)));
        foreach (var task in tasks)
        {
            Assert.That(rows[task.TaskId.Slug]["task_queue_id"], Is.EqualTo(task.TaskQueueId), $"task_queue_id of {task.TaskId}");
        }

        await Queue.AssertServedAsync(db, tasks, "at version 9");
        await Queue.AssertAcceptsNewTaskAsync(db, 90, "at version 9");
        AssertOnlineWorkWasWatched();
    }

    protected override async Task CheckDuringOnlineWorkAsync(VersionContext db, OnlineDirection direction, OnlineCheckpoint checkpoint)
    {
        var when = $"{direction} {checkpoint}";
        var filled = await db.RowsAsync("select task_id, task_queue_id from tasks where task_queue_id is not null");
        var expected = tasks.ToDictionary(t => t.TaskId.Slug, t => t.TaskQueueId);
        foreach (var row in filled)
        {
            Assert.That(row["task_queue_id"], Is.EqualTo(expected[(string)row["task_id"]!]), $"{when}: task_queue_id filled by a batch");
        }

        switch (checkpoint)
        {
            case OnlineCheckpoint.MidOnline:
                Assert.That(filled, Has.Count.GreaterThan(20), $"{when}: the batches so far filled their tasks");
                servedHalfMigrated |= filled.Count < Count;
                break;
            case OnlineCheckpoint.Done:
                Assert.That(filled, Has.Count.EqualTo(Count), $"{when}: every task has its queue");
                break;
        }

        await Queue.AssertServedAsync(db, tasks, when);
        await Queue.AssertAcceptsNewTaskAsync(db, 91, when);
    }

    private void AssertOnlineWorkWasWatched() =>
        Assert.That(servedHalfMigrated, Is.True, "the queue was checked while some tasks had a task queue id and others not");
}
