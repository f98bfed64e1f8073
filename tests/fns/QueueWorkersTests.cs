using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The workers the queue has seen (v17): the relational table, its methods and its entities shim.</summary>
[TestFixture]
public sealed class QueueWorkersTests : FunctionTest
{
    private const string TaskQueue = "prov/" + Values.Tricky;
    private const string WorkerKey = "wg~" + Values.Tricky;

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("queue", "queue_workers_entities_load", "queue_workers_entities_create", "queue_workers_entities_modify", "queue_workers_entities_remove", "queue_workers_entities_scan"),
            i => $"{i:D3}-prov~{Values.Tricky}",
            WorkerKey,
            key => WorkerEntity(key, WorkerKey, Times.Now().AddDays(1)),
            "recentTasks"),
    ];

    private readonly Faker faker = new();

    private FunctionClient Queue => Client("queue");

    [Test]
    public async Task A_worker_seen_for_the_first_time_is_created_unquarantined_without_recent_tasks()
    {
        var expires = Times.Now().AddDays(1);
        var before = await ScalarAsync<DateTime>("select now()");

        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", Values.Tricky, expires);

        var row = (await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", Values.Tricky)).Single();
        Assert.That((row["task_queue_id"], row["worker_group"], row["worker_id"]), Is.EqualTo((TaskQueue, "wg", Values.Tricky)));
        Assert.That(Json.Parse(row["recent_tasks"])!.AsArray(), Is.Empty);
        Assert.That(row["quarantine_until"], Is.EqualTo(DateTime.UnixEpoch));
        Assert.That(row["expires"], Is.EqualTo(expires));
        Assert.That((DateTime)row["first_claim"]!, Is.GreaterThanOrEqualTo(before));
        Assert.That(await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "missing"), Is.Empty);
        Assert.That(await Queue.CallAsync("get_queue_worker", "prov/other", "wg", Values.Tricky), Is.Empty);
    }

    [Test]
    public async Task Seeing_a_worker_again_only_extends_its_expiry()
    {
        var later = Times.Now().AddDays(10);
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "w", later);
        await Queue.CallAsync("queue_worker_task_seen", TaskQueue, "wg", "w", TaskRun(Slugid.Random().Slug, 0));
        var first = (await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "w")).Single();

        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "w", Times.Now().AddDays(1));
        var shorter = (await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "w")).Single();
        var evenLater = Times.Now().AddDays(20);
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "w", evenLater);
        var longer = (await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "w")).Single();

        Assert.That(shorter["expires"], Is.EqualTo(later));
        Assert.That(longer["expires"], Is.EqualTo(evenLater));
        Assert.That(longer["first_claim"], Is.EqualTo(first["first_claim"]));
        Assert.That(longer["recent_tasks"], Is.EqualTo(first["recent_tasks"]));
    }

    [Test]
    public async Task Recent_tasks_keep_the_newest_twenty_in_order()
    {
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "w", Times.Now().AddDays(1));
        var runs = Enumerable.Range(0, 23).Select(i => TaskRun(Slugid.Random().Slug, i % 4)).ToList();
        foreach (var run in runs)
        {
            await Queue.CallAsync("queue_worker_task_seen", TaskQueue, "wg", "w", run);
        }

        var recent = Json.Parse((await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "w")).Single()["recent_tasks"])!.AsArray();

        Assert.That(recent, Has.Count.EqualTo(20));
        Assert.That(recent.Select(r => r!["taskId"]!.GetValue<string>()), Is.EqualTo(runs.Skip(3).Select(r => r["taskId"]!.GetValue<string>())));
    }

    [Test]
    public async Task Concurrent_task_seen_calls_lose_no_entry_and_missing_workers_are_ignored()
    {
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "w", Times.Now().AddDays(1));
        var taskIds = Enumerable.Range(0, 12).Select(_ => Slugid.Random().Slug).ToList();

        await Task.WhenAll(taskIds.Select(id => Task.Run(() => Queue.CallAsync("queue_worker_task_seen", TaskQueue, "wg", "w", TaskRun(id, 0)))));
        Assert.DoesNotThrowAsync(() => Queue.CallAsync("queue_worker_task_seen", TaskQueue, "wg", "missing", TaskRun(Slugid.Random().Slug, 0)));

        var recent = Json.Parse((await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "w")).Single()["recent_tasks"])!.AsArray();
        Assert.That(recent.Select(r => r!["taskId"]!.GetValue<string>()), Is.EquivalentTo(taskIds));
        Assert.That(await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "missing"), Is.Empty);
    }

    [Test]
    public async Task Quarantine_sets_and_lifts_the_quarantine_of_existing_workers_only()
    {
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "w", Times.Now().AddDays(1));
        var until = Times.Now().AddHours(6);

        var quarantined = (await Queue.CallAsync("quarantine_queue_worker", TaskQueue, "wg", "w", until)).Single();
        Assert.That(quarantined["quarantine_until"], Is.EqualTo(until));

        var past = Times.Now().AddHours(-1);
        var lifted = (await Queue.CallAsync("quarantine_queue_worker", TaskQueue, "wg", "w", past)).Single();
        Assert.That(lifted["quarantine_until"], Is.EqualTo(past));
        Assert.That(lifted["etag"], Is.Not.EqualTo(quarantined["etag"]));
        Assert.That(await Queue.CallAsync("quarantine_queue_worker", TaskQueue, "wg", "missing", until), Is.Empty);
        Assert.That(await ScalarAsync<long>("select count(*) from queue_workers"), Is.EqualTo(1));
    }

    [Test]
    public async Task Workers_of_a_queue_filter_by_expiry_and_page_across_group_and_id()
    {
        var expected = new List<(string, string)>();
        foreach (var group in new[] { "g-a", "g-b" })
        {
            for (var i = 0; i < 3; i++)
            {
                var id = $"{i:D2}-{faker.Internet.DomainWord()}";
                expected.Add((group, id));
            }
        }

        foreach (var (group, id) in expected.AsEnumerable().Reverse())
        {
            await Queue.CallAsync("queue_worker_seen", TaskQueue, group, id, Times.Now().AddDays(1));
        }

        await Queue.CallAsync("queue_worker_seen", TaskQueue, "g-c", "expired", Times.Now().AddMinutes(-1));
        await Queue.CallAsync("queue_worker_seen", "prov/other", "g-a", "elsewhere", Times.Now().AddDays(1));

        var live = await Queue.PaginateByIndexAsync(
                "get_queue_workers", new Dictionary<string, object?> { ["task_queue_id_in"] = TaskQueue, ["expires_in"] = Times.Now() }, ["worker_group", "worker_id"], pageSize: 2)
            .Select(r => ((string)r["worker_group"]!, (string)r["worker_id"]!)).ToListAsync();

        Assert.That(live, Is.EqualTo(expected));
        Assert.That(await Queue.CallAsync("get_queue_workers", TaskQueue, null, 100, null, null), Has.Count.EqualTo(7));
    }

    [Test]
    public async Task Expire_queue_workers_deletes_only_expired_workers()
    {
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "old", Times.Now().AddMinutes(-1));
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", "new", Times.Now().AddDays(1));

        Assert.That((await Queue.CallAsync("expire_queue_workers", Times.Now())).Single()["expire_queue_workers"], Is.EqualTo(1));
        Assert.That(await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "old"), Is.Empty);
        Assert.That(await Queue.CallAsync("get_queue_worker", TaskQueue, "wg", "new"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Other_services_cannot_write_queue_workers_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("worker_manager").CallAsync("quarantine_queue_worker", TaskQueue, "wg", "w", Times.Now()));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("worker_manager").CallAsync("queue_worker_seen", TaskQueue, "wg", "w", Times.Now()));
        await AssertSqlStateAsync("42501", () => Client("worker_manager").CallAsync("get_queue_workers", TaskQueue, null, 10, null, null));
    }

    [TestCase("prov", "wg~w")]
    [TestCase("prov~wt~x", "wg~w")]
    [TestCase("prov/x~wt", "wg~w")]
    [TestCase("prov~wt/x", "wg~w")]
    [TestCase("prov~wt", "wg")]
    [TestCase("prov~wt", "wg~w~x")]
    public async Task Queue_worker_entity_keys_that_are_not_two_tilde_pairs_are_refused(string partitionKey, string rowKey)
    {
        var error = await AssertSqlStateAsync(
            SqlStates.InvalidParameterValue, () => Queue.CallAsync("queue_workers_entities_create", partitionKey, rowKey, WorkerEntity("prov~wt", "wg~w", Times.Now()), false, 1));

        Assert.That(error.Message, Does.Contain("must be `<provisionerId>~<workerType>` and `<workerGroup>~<workerId>`"));
        Assert.That(await ScalarAsync<long>("select count(*) from queue_workers"), Is.Zero);
    }

    [Test]
    public async Task Entity_keys_that_only_look_like_a_worker_find_nothing()
    {
        await Queue.CallAsync("queue_worker_seen", "prov/wt", "wg", "w", Times.Now().AddDays(1));

        foreach (var (partitionKey, rowKey) in new[] { ("prov~wt~", "wg~w"), ("prov~wt", "wg~w~"), ("prov/wt", "wg~w"), ("prov~wt", "wg/w") })
        {
            Assert.That(await Queue.CallAsync("queue_workers_entities_load", partitionKey, rowKey), Is.Empty, $"{partitionKey} {rowKey}");
            Assert.That(await Queue.CallAsync("queue_workers_entities_scan", partitionKey, rowKey, null, null, null), Is.Empty, $"{partitionKey} {rowKey}");
            Assert.That(await Queue.CallAsync("queue_workers_entities_remove", partitionKey, rowKey), Is.Empty, $"{partitionKey} {rowKey}");
        }

        Assert.That(await Queue.CallAsync("queue_workers_entities_load", "prov~wt", "wg~w"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        var expires = Times.Now().AddDays(2);
        await Queue.CallAsync("queue_worker_seen", TaskQueue, "wg", Values.Tricky, expires);
        await Queue.CallAsync("queue_worker_task_seen", TaskQueue, "wg", Values.Tricky, TaskRun(Values.Tricky, 1));
        await ExecuteAsync("update queue_workers set quarantine_until = $1, first_claim = $1", expires);

        var entity = (await Queue.CallAsync("queue_workers_entities_load", "prov~" + Values.Tricky, WorkerKey)).Single();
        Assert.That(Json.Same(entity["value"], WorkerEntity("prov~" + Values.Tricky, WorkerKey, expires)), Is.True, (string)entity["value"]!);

        await Queue.CallAsync("queue_workers_entities_create", "p2~wt", "g2~w2", WorkerEntity("p2~wt", "g2~w2", expires), false, 1);
        var typed = (await Queue.CallAsync("get_queue_worker", "p2/wt", "g2", "w2")).Single();
        Assert.That((typed["quarantine_until"], typed["expires"], typed["first_claim"]), Is.EqualTo((expires, expires, expires)));
        Assert.That(Json.Same(typed["recent_tasks"], new JsonArray(TaskRun(Values.Tricky, 1))), Is.True, (string)typed["recent_tasks"]!);
    }

    private static JsonObject TaskRun(string taskId, int runId) => new() { ["taskId"] = taskId, ["runId"] = runId };

    /// <summary>A Worker entity of keys <c>&lt;provisionerId&gt;~&lt;workerType&gt;</c> and <c>&lt;workerGroup&gt;~&lt;workerId&gt;</c>.</summary>
    private static JsonObject WorkerEntity(string partitionKey, string rowKey, DateTime time)
    {
        var (queue, worker) = (partitionKey.Split('~'), rowKey.Split('~'));
        return new JsonObject
        {
            ["provisionerId"] = queue[0],
            ["workerType"] = queue[1],
            ["workerGroup"] = worker[0],
            ["workerId"] = worker[1],
            ["recentTasks"] = new JsonArray(TaskRun(Values.Tricky, 1)),
            ["quarantineUntil"] = Times.JsIso(time),
            ["expires"] = Times.JsIso(time),
            ["firstClaim"] = Times.JsIso(time),
        };
    }
}
