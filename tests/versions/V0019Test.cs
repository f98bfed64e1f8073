using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 19: worker pool errors move from <c>wmworker_pool_errors_entities</c> to the relational
/// <c>worker_pool_errors</c> table keyed by the error's slugid (phase 2); after it every entities table is
/// relational. Seeds realistic provisioning errors through the entity method at version 18, checks
/// get_worker_pool_error returns every column after the upgrade and that the entity view and the downgrade
/// rebuild the same entities.
/// </summary>
public sealed class V0019Test() : VersionTest(19)
{
    private const string Table = "wmworker_pool_errors_entities";
    private readonly List<(string Pool, Slugid ErrorId, DateTime Reported, string Kind, string Title, string Description, string Extra)> errors = [];
    private List<SeededEntity> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public." + Table] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(19);
        var now = Js.Now();
        for (var i = 0; i < 30; i++)
        {
            var kind = f.PickRandom("creation-error", "termination-error", "instance-boot-error");
            var extra = new JsonObject { ["code"] = f.PickRandom("InsufficientInstanceCapacity", "QUOTA_EXCEEDED"), ["config"] = new JsonObject { ["path"] = @"C:\worker\config.json", ["region"] = "us-east-1" } };
            errors.Add(($"proj-releng/b-linux-{i % 5}", Slugid.Next(f), Realistic.Time(f, now.AddDays(-3), 3), kind, "Instance Creation Error " + f.Random.Number(1, 99), kind + ": " + Realistic.Hostile(f), Json.Text(extra)));
        }

        seeded = await PhaseTwo.CreateAsync(db, "worker_manager", Table, errors.Select(e => (e.Pool, e.ErrorId.Slug, Json.Text(new JsonObject
        {
            ["workerPoolId"] = e.Pool,
            ["errorId"] = e.ErrorId.Slug,
            ["reported"] = Js.Iso(e.Reported),
            ["kind"] = e.Kind,
            ["title"] = e.Title,
            ["description"] = e.Description,
            ["extra"] = JsonNode.Parse(e.Extra),
        }))));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("worker_pool_errors"), Is.False, "no worker_pool_errors at version 18");
        await PhaseTwo.AssertLoadAsync(db, "worker_manager", Table, seeded, "at version 18");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync(Table), Is.False, $"{Table} is dropped");
        await using var workerManager = await db.ClientAsync("worker_manager");
        foreach (var (e, entity) in errors.Zip(seeded))
        {
            var row = (await workerManager.CallAsync("get_worker_pool_error", e.ErrorId.Slug, e.Pool)).Single();
            Assert.That(
                new[] { row["worker_pool_id"], row["reported"], row["kind"], row["title"], row["description"], row["etag"] },
                Is.EqualTo(new object[] { e.Pool, e.Reported, e.Kind, e.Title, e.Description, entity.Etag }),
                $"error {e.ErrorId} of {e.Pool}");
            Json.AssertSame(row["extra"], e.Extra, $"extra of error {e.ErrorId}");
        }

        await PhaseTwo.AssertLoadAsync(db, "worker_manager", Table, seeded, "at version 19");
    }
}
