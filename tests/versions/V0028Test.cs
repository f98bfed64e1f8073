using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 28: the queue's pending, claimed, resolved and deadline queues become tables (they were message
/// queues outside the database). Checks they appear for the queue role only at version 28 and that a realistic
/// run goes through them: queued for its task queue, taken with a pop receipt and hidden, its claim expiring, its
/// resolution and its deadline each taken once.
/// </summary>
public sealed class V0028Test : VersionTest
{
    private static readonly string[] Tables = ["queue_pending_tasks", "queue_claimed_tasks", "queue_resolved_tasks", "queue_task_deadlines"];

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        foreach (var table in Tables)
        {
            Assert.That(await db.TableExistsAsync(table), Is.False, $"no {table} at version 27");
        }
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        foreach (var table in Tables)
        {
            Assert.That(await db.ValueAsync<bool>("select has_table_privilege($1, 'public.' || $2, 'select, insert, update, delete')", db.RolePrefix.RoleFor("queue"), table), Is.True, $"queue may use {table}");
            Assert.That(await db.ValueAsync<bool>("select has_table_privilege($1, 'public.' || $2, 'select')", db.RolePrefix.RoleFor("worker_manager"), table), Is.False, $"worker_manager may not read {table}");
        }

        var f = Realistic.Faker(28);
        var (provisioner, workerType) = Realistic.TaskQueue(f);
        var (group, task) = (Slugid.Next(f).Slug, Slugid.Next(f).Slug);
        var now = Times.Now();
        await using var queue = await db.ClientAsync("queue");

        await queue.CallAsync("queue_pending_tasks_add", $"{provisioner}/{workerType}", 4, task, 0, "hint-" + Realistic.Hostile(f), now.AddDays(1));
        var taken = (await queue.CallAsync("queue_pending_tasks_get", $"{provisioner}/{workerType}", now.AddMinutes(5), 10)).Single();
        Assert.That((taken["task_id"], taken["run_id"]), Is.EqualTo((task, 0)), "the queued run is taken");
        Assert.That(await queue.CallAsync("queue_pending_tasks_get", $"{provisioner}/{workerType}", now.AddMinutes(5), 10), Is.Empty, "a taken run is hidden");
        await queue.CallAsync("queue_pending_tasks_delete", task, taken["pop_receipt"]);

        await queue.CallAsync("queue_claimed_task_put", task, 0, now.AddSeconds(-1), $"{provisioner}/{workerType}", "us-east-1", "i-0abc");
        var claim = (await queue.CallAsync("queue_claimed_task_get", now.AddMinutes(5), 10)).Single();
        await queue.CallAsync("queue_claimed_task_delete", task, claim["pop_receipt"]);

        await queue.CallAsync("queue_resolved_task_put", group, task, "taskcluster-github", "completed");
        var resolved = (await queue.CallAsync("queue_resolved_task_get", now.AddMinutes(5), 10)).Single();
        Assert.That(resolved["resolution"], Is.EqualTo("completed"));
        await queue.CallAsync("queue_resolved_task_delete", task, resolved["pop_receipt"]);

        await queue.CallAsync("queue_task_deadline_put", group, task, "taskcluster-github", now.AddSeconds(-1), now.AddSeconds(-1));
        var deadline = (await queue.CallAsync("queue_task_deadline_get", now.AddMinutes(5), 10)).Single();
        await queue.CallAsync("queue_task_deadline_delete", task, deadline["pop_receipt"]);

        foreach (var table in Tables)
        {
            Assert.That(await db.ValueAsync<long>($"select count(*) from {table}"), Is.EqualTo(0), $"every message of {table} was deleted with its receipt");
        }
    }
}
