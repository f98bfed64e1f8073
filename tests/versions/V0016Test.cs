using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 16: queue artifacts move from <c>queue_artifacts_entities</c> (partition key <c>taskId~runId</c>) to the
/// relational <c>queue_artifacts</c> table with task id and run id columns; the upgrade refuses entity keys it
/// could not rebuild. Seeds realistic artifacts (s3, reference and error artifacts; names with slashes,
/// backslashes and unicode) through the entity method at version 15, checks every column and get_queue_artifact
/// after the upgrade, and that the entity view and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0016Test : VersionTest
{
    private const string Table = "queue_artifacts_entities";
    private readonly List<(Slugid Task, int Run, string Name, string StorageType, string ContentType, string Details, bool Present, DateTime Expires)> artifacts = [];
    private List<SeededEntity> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public." + Table] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(16);
        var now = Times.Now();
        var names = new[] { "public/logs/live.log", "public/logs/live_backing.log", "public/build/target.tar.bz2", @"private/C:\builds\报告 ☃.json", "public/chain-of-trust.json" };
        for (var t = 0; t < 8; t++)
        {
            var task = Slugid.Next(f);
            for (var run = 0; run <= t % 3; run++)
            {
                foreach (var name in names.Take(2 + ((t + run) % 4)))
                {
                    var storage = f.PickRandom("s3", "reference", "error");
                    var details = storage switch
                    {
                        "s3" => new JsonObject { ["bucket"] = "taskcluster-public-artifacts", ["prefix"] = $"{task.Slug}/{run}/{name}" },
                        "reference" => new JsonObject { ["url"] = $"https://example.com/{task.Slug}/{Uri.EscapeDataString(name)}?sig=\"x\"" },
                        _ => new JsonObject { ["message"] = "file-missing-on-worker: " + Realistic.Hostile(f), ["reason"] = "file-missing-on-worker" },
                    };
                    artifacts.Add((task, run, name, storage, f.PickRandom("text/plain; charset=utf-8", "application/json", "application/x-bzip2"), Json.Text(details), f.Random.Bool(0.8f), Realistic.Time(f, now.AddDays(300), 60)));
                }
            }
        }

        seeded = await PhaseTwo.CreateAsync(db, "queue", Table, artifacts.Select(a => ($"{a.Task.Slug}~{a.Run}", a.Name, Json.Text(new JsonObject
        {
            ["taskId"] = a.Task.Uuid,
            ["runId"] = a.Run,
            ["name"] = a.Name,
            ["storageType"] = a.StorageType,
            ["contentType"] = a.ContentType,
            ["details"] = JsonNode.Parse(a.Details),
            ["present"] = a.Present,
            ["expires"] = Times.JsIso(a.Expires),
        }))));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("queue_artifacts"), Is.False, "no queue_artifacts at version 15");
        await PhaseTwo.AssertLoadAsync(db, "queue", Table, seeded, "at version 15");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync(Table), Is.False, $"{Table} is dropped");
        Assert.That(await db.ValueAsync<long>("select count(*) from queue_artifacts"), Is.EqualTo(artifacts.Count));
        await using var queue = await db.ClientAsync("queue");
        foreach (var (artifact, entity) in artifacts.Zip(seeded))
        {
            var what = $"artifact {artifact.Task}/{artifact.Run}/{artifact.Name}";
            var row = (await queue.CallAsync("get_queue_artifact", artifact.Task.Slug, artifact.Run, artifact.Name)).Single();
            Assert.That(
                new[] { row["task_id"], row["run_id"], row["name"], row["storage_type"], row["content_type"], row["present"], row["expires"], row["etag"] },
                Is.EqualTo(new object[] { artifact.Task.Slug, artifact.Run, artifact.Name, artifact.StorageType, artifact.ContentType, artifact.Present, artifact.Expires, entity.Etag }),
                what);
            Json.AssertSame(row["details"], artifact.Details, $"{what}: details");
        }

        await PhaseTwo.AssertLoadAsync(db, "queue", Table, seeded, "at version 16");
    }
}
