using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 18: worker-manager's workers move from <c>wmworkers_entities</c> (row key <c>workerGroup~workerId</c>)
/// to the relational <c>workers</c> table (phase 2). Seeds realistic workers in every state through the entity
/// method at version 17, checks get_worker returns every column after the upgrade, exercises
/// create/update/delete on a worker of its own, and checks the entity view and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0018Test() : VersionTest(18)
{
    private const string Table = "wmworkers_entities";
    private readonly List<(string Pool, string Group, string Id, string Provider, DateTime Created, DateTime Expires, string State, string ProviderData, int Capacity, DateTime LastModified, DateTime LastChecked)> workers = [];
    private List<SeededEntity> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public." + Table] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(18);
        var now = Js.Now();
        for (var i = 0; i < 30; i++)
        {
            var created = Realistic.Time(f, now.AddDays(-2), 2);
            var providerData = new JsonObject { ["region"] = f.PickRandom("us-east-1", "us-west1"), ["imageId"] = "ami-" + f.Random.Hash(8), ["userData"] = Realistic.Hostile(f) };
            workers.Add(($"proj-releng/b-linux-{i % 4}", f.PickRandom("us-east-1", "us-west1-b"), "i-0" + f.Random.Hash(12), f.PickRandom("aws", "google"), created, Js.Millis(created.AddDays(7)),
                f.PickRandom("requested", "running", "stopping", "stopped"), Json.Text(providerData), f.Random.Number(1, 4), Js.Millis(created.AddMinutes(5)), Js.Millis(created.AddMinutes(30))));
        }

        seeded = await PhaseTwo.CreateAsync(db, "worker_manager", Table, workers.Select(w => (w.Pool, $"{w.Group}~{w.Id}", Json.Text(new JsonObject
        {
            ["workerPoolId"] = w.Pool,
            ["workerGroup"] = w.Group,
            ["workerId"] = w.Id,
            ["providerId"] = w.Provider,
            ["created"] = Js.Iso(w.Created),
            ["expires"] = Js.Iso(w.Expires),
            ["state"] = w.State,
            ["providerData"] = JsonNode.Parse(w.ProviderData),
            ["capacity"] = w.Capacity,
            ["lastModified"] = Js.Iso(w.LastModified),
            ["lastChecked"] = Js.Iso(w.LastChecked),
        }))));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("workers"), Is.False, "no workers table at version 17");
        await PhaseTwo.AssertLoadAsync(db, "worker_manager", Table, seeded, "at version 17");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync(Table), Is.False, $"{Table} is dropped");
        await using var workerManager = await db.ClientAsync("worker_manager");
        foreach (var (w, entity) in workers.Zip(seeded))
        {
            var row = (await workerManager.CallAsync("get_worker", w.Pool, w.Group, w.Id)).Single();
            Assert.That(
                new[] { row["provider_id"], row["created"], row["expires"], row["state"], row["capacity"], row["last_modified"], row["last_checked"], row["etag"] },
                Is.EqualTo(new object[] { w.Provider, w.Created, w.Expires, w.State, w.Capacity, w.LastModified, w.LastChecked, entity.Etag }),
                $"worker {w.Pool} {w.Group}/{w.Id}");
            Json.AssertSame(row["provider_data"], w.ProviderData, $"provider data of worker {w.Id}");
        }

        await PhaseTwo.AssertLoadAsync(db, "worker_manager", Table, seeded, "at version 18");

        // A worker of its own, deleted again so the downgrade sees the seed only.
        var now = Js.Now();
        var etag = (await workerManager.CallAsync("create_worker", "proj-test/ci", "mdc1", "t-linux-01", "static", now, now.AddDays(1), "requested", "{\"note\": \"C:\\\\w ☃\"}", 1, now, now)).Scalar();
        var stale = Assert.ThrowsAsync<DbFunctionException>(() => workerManager.CallAsync("update_worker", "proj-test/ci", "mdc1", "t-linux-01", "static", now, now.AddDays(1), "running", "{}", 2, now, now, Guid.NewGuid()));
        Assert.That(stale!.SqlState, Is.EqualTo("P0004"), "update_worker with a stale etag");
        var updated = (await workerManager.CallAsync("update_worker", "proj-test/ci", "mdc1", "t-linux-01", "static", now, now.AddDays(1), "running", "{}", 2, now, now, etag)).Single();
        Assert.That((updated["state"], updated["capacity"]), Is.EqualTo(((object)"running", (object)2)), "update_worker");
        await workerManager.CallAsync("delete_worker", "proj-test/ci", "mdc1", "t-linux-01");
        Assert.That(await workerManager.CallAsync("get_worker", "proj-test/ci", "mdc1", "t-linux-01"), Is.Empty, "delete_worker");
    }
}
