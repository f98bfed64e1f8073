using NUnit.Framework;
using Npgsql;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The queue's message queues as tables (v28): pending runs, claims, resolutions and deadlines.</summary>
[TestFixture]
public sealed class QueueQueuesTests : FunctionTest
{
    private const string TaskQueue = "proj-releng/" + Values.Tricky;

    private FunctionClient Queue => Client("queue");

    [Test]
    public async Task Pending_runs_are_taken_by_priority_then_age_and_hidden_until_visible()
    {
        await AddAsync("low", priority: 1);
        await AddAsync("high-old", priority: 5);
        await AddAsync("high-new", priority: 5);
        await Queue.CallAsync("queue_pending_tasks_add", "other/queue", 9, "elsewhere", 0, "h", Times.Now().AddDays(1));

        var first = await TakeAsync(2);
        Assert.That(first.Select(r => r["task_id"]), Is.EquivalentTo(new[] { "high-old", "high-new" }));
        Assert.That((await TakeAsync(5)).Select(r => r["task_id"]), Is.EqualTo(new[] { "low" }));
        Assert.That(await TakeAsync(5), Is.Empty, "taken runs stay hidden until their visibility time");

        await ExecuteAsync("update queue_pending_tasks set visible = now() - interval '1 second' where task_id = 'low'");
        Assert.That((await TakeAsync(5)).Select(r => r["task_id"]), Is.EqualTo(new[] { "low" }), "a run whose visibility ran out is taken again");
    }

    [Test]
    public async Task A_pending_run_is_deleted_or_released_only_with_its_current_receipt()
    {
        await AddAsync("t");
        var receipt = (await TakeAsync(1)).Single()["pop_receipt"];

        await Queue.CallAsync("queue_pending_tasks_release", "t", Guid.NewGuid());
        await Queue.CallAsync("queue_pending_tasks_delete", "t", Guid.NewGuid());
        Assert.That(await TakeAsync(1), Is.Empty, "a wrong receipt neither releases nor deletes");

        await Queue.CallAsync("queue_pending_tasks_release", "t", receipt);
        var again = (await TakeAsync(1)).Single();
        Assert.That(again["pop_receipt"], Is.Not.EqualTo(receipt), "every take makes a new receipt");
        await Queue.CallAsync("queue_pending_tasks_delete", "t", receipt);
        Assert.That(await ScalarAsync<long>("select count(*) from queue_pending_tasks"), Is.EqualTo(1), "the old receipt no longer deletes");
        await Queue.CallAsync("queue_pending_tasks_delete", "t", again["pop_receipt"]);
        Assert.That(await ScalarAsync<long>("select count(*) from queue_pending_tasks"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_claimer_skips_the_runs_another_open_transaction_has_taken_instead_of_waiting()
    {
        for (var i = 0; i < 10; i++)
        {
            await AddAsync($"task-{i}");
        }

        await using var other = await Database.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        var held = new List<string>();
        await using (var command = new NpgsqlCommand("select task_id from queue_pending_tasks_get($1, $2, 4)", other, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = TaskQueue });
            command.Parameters.Add(new NpgsqlParameter { Value = Times.Now().AddMinutes(5) });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                held.Add(reader.GetString(0));
            }
        }

        // The other transaction still holds its four rows locked: this call must neither wait for them nor return them.
        var mine = (await TakeAsync(10).WaitAsync(TimeSpan.FromSeconds(20))).Select(r => (string)r["task_id"]!).ToList();
        await transaction.CommitAsync();

        Assert.That(held, Has.Count.EqualTo(4));
        Assert.That(mine, Has.Count.EqualTo(6));
        Assert.That(mine.Intersect(held), Is.Empty, "no run is taken by both");
    }

    [Test]
    public async Task Concurrent_claimers_never_take_the_same_run()
    {
        const int Runs = 60;
        for (var i = 0; i < Runs; i++)
        {
            await AddAsync($"task-{i:D2}", priority: i % 3);
        }

        var takers = Enumerable.Range(0, 8).Select(async _ =>
        {
            var taken = new List<string>();
            while (true)
            {
                var rows = await TakeAsync(3);
                if (rows.Count == 0)
                {
                    return taken;
                }

                taken.AddRange(rows.Select(r => (string)r["task_id"]!));
            }
        });

        var all = (await Task.WhenAll(takers)).SelectMany(t => t).ToList();

        Assert.That(all, Is.Unique, "a run taken twice");
        Assert.That(all, Has.Count.EqualTo(Runs), "every run is taken once");
    }

    [Test]
    public async Task Expired_pending_runs_are_neither_counted_nor_taken_and_are_deleted()
    {
        await AddAsync("live");
        await Queue.CallAsync("queue_pending_tasks_add", TaskQueue, 1, "expired", 0, "h", Times.Now().AddMinutes(-1));

        Assert.That((await Queue.CallAsync("queue_pending_tasks_count", TaskQueue)).Single()["queue_pending_tasks_count"], Is.EqualTo(1));
        Assert.That((await Queue.CallAsync("queue_pending_tasks_delete_expired")).Single()["queue_pending_tasks_delete_expired"], Is.EqualTo(1));
        Assert.That((await TakeAsync(5)).Select(r => r["task_id"]), Is.EqualTo(new[] { "live" }));
        Assert.That((await Queue.CallAsync("queue_pending_tasks_count", "missing/queue")).Single()["queue_pending_tasks_count"], Is.EqualTo(0));
    }

    [Test]
    public async Task Claims_become_visible_when_they_expire_and_are_forgotten_when_resolved()
    {
        await Queue.CallAsync("queue_claimed_task_put", "expired", 1, Times.Now().AddSeconds(-1), TaskQueue, "wg", "w1");
        await Queue.CallAsync("queue_claimed_task_put", "running", 0, Times.Now().AddMinutes(20), TaskQueue, "wg", "w2");
        await Queue.CallAsync("queue_claimed_task_put", "resolved", 0, Times.Now().AddSeconds(-1), TaskQueue, "wg", "w3");
        await Queue.CallAsync("queue_claimed_task_resolved", "resolved", 0);

        var taken = (await Queue.CallAsync("queue_claimed_task_get", Times.Now().AddMinutes(1), 10)).Single();
        Assert.That((taken["task_id"], taken["run_id"]), Is.EqualTo(("expired", 1)));
        Assert.That(await Queue.CallAsync("queue_claimed_task_get", Times.Now().AddMinutes(1), 10), Is.Empty);

        await Queue.CallAsync("queue_claimed_task_delete", "expired", taken["pop_receipt"]);
        Assert.That(await ScalarAsync<long>("select count(*) from queue_claimed_tasks"), Is.EqualTo(1), "only the running claim is left");
    }

    [Test]
    public async Task Resolutions_are_taken_once_oldest_first_and_must_be_valid()
    {
        await Queue.CallAsync("queue_resolved_task_put", "group", "first", "scheduler", "failed");
        await Queue.CallAsync("queue_resolved_task_put", "group", "second", "scheduler", "completed");
        await AssertSqlStateAsync(SqlStates.InvalidParameterValue, () => Queue.CallAsync("queue_resolved_task_put", "group", "x", "scheduler", "running"));

        var both = await Queue.CallAsync("queue_resolved_task_get", Times.Now().AddMinutes(1), 10);
        Assert.That(both.Select(r => (r["task_id"], r["resolution"])), Is.EquivalentTo(new[] { ((object?)"first", (object?)"failed"), ("second", "completed") }));
        Assert.That(await Queue.CallAsync("queue_resolved_task_get", Times.Now().AddMinutes(1), 10), Is.Empty);

        foreach (var row in both)
        {
            await Queue.CallAsync("queue_resolved_task_delete", row["task_id"], row["pop_receipt"]);
        }

        Assert.That(await ScalarAsync<long>("select count(*) from queue_resolved_tasks"), Is.EqualTo(0));
    }

    [Test]
    public async Task Deadlines_are_taken_once_they_are_due()
    {
        await Queue.CallAsync("queue_task_deadline_put", "group", "due", "scheduler", Times.Now().AddSeconds(-5), Times.Now().AddSeconds(-5));
        await Queue.CallAsync("queue_task_deadline_put", "group", "later", "scheduler", Times.Now().AddDays(1), Times.Now().AddDays(1));

        var taken = (await Queue.CallAsync("queue_task_deadline_get", Times.Now().AddMinutes(1), 10)).Single();
        Assert.That((taken["task_id"], taken["task_group_id"], taken["scheduler_id"]), Is.EqualTo(("due", "group", "scheduler")));
        await Queue.CallAsync("queue_task_deadline_delete", "due", taken["pop_receipt"]);
        Assert.That(await ScalarAsync<string>("select string_agg(task_id, ',') from queue_task_deadlines"), Is.EqualTo("later"));
    }

    [Test]
    public async Task Other_services_cannot_use_the_queues()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("worker_manager").CallAsync("queue_pending_tasks_get", TaskQueue, Times.Now(), 1));
        await AssertSqlStateAsync("42501", () => Client("worker_manager").CallAsync("queue_pending_tasks_count", TaskQueue));
    }

    private Task AddAsync(string taskId, int priority = 3) =>
        Queue.CallAsync("queue_pending_tasks_add", TaskQueue, priority, taskId, 0, "hint-" + taskId, Times.Now().AddDays(1));

    private Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> TakeAsync(int count) =>
        Queue.CallAsync("queue_pending_tasks_get", TaskQueue, Times.Now().AddMinutes(5), count);
}
