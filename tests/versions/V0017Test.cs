using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 17: the queue's worker types, provisioners and workers move to the relational <c>task_queues</c>
/// (id <c>provisionerId/workerType</c>), <c>queue_provisioners</c> and <c>queue_workers</c> tables (phase 2).
/// Seeds realistic worker types, provisioners (with actions) and workers (with recent tasks and quarantine)
/// through the entity methods at version 16, checks the new get methods return every column after the
/// upgrade, and that the three entity views and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0017Test() : VersionTest(17)
{
    private readonly List<(string ProvisionerId, string WorkerType, string Description, string Stability, DateTime Expires, DateTime LastActive)> taskQueues = [];
    private readonly List<(string ProvisionerId, string Description, string Stability, string Actions, DateTime Expires, DateTime LastActive)> provisioners = [];
    private readonly List<(string TaskQueueId, string Group, string Id, string RecentTasks, DateTime QuarantineUntil, DateTime Expires, DateTime FirstClaim)> workers = [];
    private List<SeededEntity> seededTypes = [];
    private List<SeededEntity> seededProvisioners = [];
    private List<SeededEntity> seededWorkers = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules)
    {
        foreach (var table in new[] { "queue_worker_types_entities", "queue_provisioners_entities", "queue_workers_entities" })
        {
            rules["public." + table] = new TableSeedRule { Rows = 0 };
        }
    }

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(17);
        var now = Js.Now();
        foreach (var provisionerId in new[] { "proj-releng", "gecko-3", "aws-provisioner-v1", "scriptworker-k8s" })
        {
            var actions = new JsonArray(new JsonObject { ["name"] = "kill", ["title"] = "Kill \"worker\" ☃", ["context"] = "worker", ["url"] = @"https://example.com/kill?path=C:\w", ["method"] = "DELETE", ["description"] = Realistic.Hostile(f) });
            provisioners.Add((provisionerId, Realistic.Hostile(f), f.PickRandom("experimental", "stable", "deprecated"), Json.Text(actions), Realistic.Time(f, now.AddDays(5), 2), Realistic.Time(f, now.AddDays(-1), 1)));
            foreach (var workerType in new[] { "b-linux", "t-win10-64", "ci" })
            {
                taskQueues.Add((provisionerId, workerType, Realistic.Hostile(f), f.PickRandom("experimental", "stable", "deprecated"), Realistic.Time(f, now.AddDays(5), 2), Realistic.Time(f, now.AddDays(-1), 1)));
                for (var w = 0; w < 2; w++)
                {
                    var recent = new JsonArray(Enumerable.Range(0, w + 1).Select(r => (JsonNode?)new JsonObject { ["taskId"] = Slugid.Next(f).Slug, ["runId"] = r }).ToArray());
                    workers.Add(($"{provisionerId}/{workerType}", f.PickRandom("us-east-1", "mdc1"), "i-0" + f.Random.Hash(12), Json.Text(recent), w == 0 ? DateTime.UnixEpoch : Realistic.Time(f, now.AddDays(3), 1), Realistic.Time(f, now.AddDays(2), 1), Realistic.Time(f, now.AddDays(-3), 2)));
                }
            }
        }

        seededTypes = await PhaseTwo.CreateAsync(db, "queue", "queue_worker_types_entities", taskQueues.Select(q => (q.ProvisionerId, q.WorkerType, Json.Text(new JsonObject
        {
            ["provisionerId"] = q.ProvisionerId,
            ["workerType"] = q.WorkerType,
            ["expires"] = Js.Iso(q.Expires),
            ["lastDateActive"] = Js.Iso(q.LastActive),
            ["description"] = q.Description,
            ["stability"] = q.Stability,
        }))));
        seededProvisioners = await PhaseTwo.CreateAsync(db, "queue", "queue_provisioners_entities", provisioners.Select(p => (p.ProvisionerId, "provisioner", Json.Text(new JsonObject
        {
            ["provisionerId"] = p.ProvisionerId,
            ["expires"] = Js.Iso(p.Expires),
            ["lastDateActive"] = Js.Iso(p.LastActive),
            ["description"] = p.Description,
            ["stability"] = p.Stability,
            ["actions"] = JsonNode.Parse(p.Actions),
        }))));
        seededWorkers = await PhaseTwo.CreateAsync(db, "queue", "queue_workers_entities", workers.Select(w => (w.TaskQueueId.Replace('/', '~'), $"{w.Group}~{w.Id}", Json.Text(new JsonObject
        {
            ["provisionerId"] = w.TaskQueueId.Split('/')[0],
            ["workerType"] = w.TaskQueueId.Split('/')[1],
            ["workerGroup"] = w.Group,
            ["workerId"] = w.Id,
            ["recentTasks"] = JsonNode.Parse(w.RecentTasks),
            ["quarantineUntil"] = Js.Iso(w.QuarantineUntil),
            ["expires"] = Js.Iso(w.Expires),
            ["firstClaim"] = Js.Iso(w.FirstClaim),
        }))));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("task_queues"), Is.False, "no task_queues at version 16");
        await AssertEntitiesAsync(db, "at version 16");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await using var queue = await db.ClientAsync("queue");
        foreach (var (q, entity) in taskQueues.Zip(seededTypes))
        {
            var row = (await queue.CallAsync("get_task_queue", $"{q.ProvisionerId}/{q.WorkerType}")).Single();
            Assert.That(
                new[] { row["expires"], row["last_date_active"], row["description"], row["stability"], row["etag"] },
                Is.EqualTo(new object[] { q.Expires, q.LastActive, q.Description, q.Stability, entity.Etag }),
                $"task queue {q.ProvisionerId}/{q.WorkerType}");
        }

        foreach (var (p, entity) in provisioners.Zip(seededProvisioners))
        {
            var row = (await queue.CallAsync("get_queue_provisioner", p.ProvisionerId)).Single();
            Assert.That(new[] { row["expires"], row["last_date_active"], row["description"], row["stability"], row["etag"] }, Is.EqualTo(new object[] { p.Expires, p.LastActive, p.Description, p.Stability, entity.Etag }), $"provisioner {p.ProvisionerId}");
            Json.AssertSame(row["actions"], p.Actions, $"actions of provisioner {p.ProvisionerId}");
        }

        foreach (var (w, entity) in workers.Zip(seededWorkers))
        {
            var row = (await queue.CallAsync("get_queue_worker", w.TaskQueueId, w.Group, w.Id)).Single();
            Assert.That(new[] { row["quarantine_until"], row["expires"], row["first_claim"], row["etag"] }, Is.EqualTo(new object[] { w.QuarantineUntil, w.Expires, w.FirstClaim, entity.Etag }), $"worker {w.TaskQueueId} {w.Group}/{w.Id}");
            Json.AssertSame(row["recent_tasks"], w.RecentTasks, $"recent tasks of worker {w.Id}");
        }

        await AssertEntitiesAsync(db, "at version 17");
    }

    private async Task AssertEntitiesAsync(VersionContext db, string when)
    {
        await PhaseTwo.AssertLoadAsync(db, "queue", "queue_worker_types_entities", seededTypes, when);
        await PhaseTwo.AssertLoadAsync(db, "queue", "queue_provisioners_entities", seededProvisioners, when);
        await PhaseTwo.AssertLoadAsync(db, "queue", "queue_workers_entities", seededWorkers, when);
    }
}
