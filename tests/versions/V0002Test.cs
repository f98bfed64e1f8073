using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 2: the queue's seven entities tables (phase 1) with their load/create/modify/remove/scan
/// methods, plus the helpers every later version relies on: entity buffers (base64 chunks) and slugid/uuid
/// conversion. Checks the helpers against an independent C# implementation and each table's method contract.
/// </summary>
public sealed class V0002Test : VersionTest
{
    private static readonly string[] Tables =
    [
        "queue_tasks_entities", "queue_task_groups_entities", "queue_task_dependency_entities", "queue_artifacts_entities",
        "queue_workers_entities", "queue_worker_types_entities", "queue_provisioners_entities",
    ];

    private static readonly string[] Helpers = ["entity_buf_encode", "entity_buf_decode", "slugid_to_uuid", "uuid_to_slugid"];

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        await EntityTables.AssertAbsentAsync(db, Tables);
        foreach (var helper in Helpers)
        {
            Assert.That(await db.FunctionExistsAsync(helper), Is.False, $"{helper} before version 2");
        }
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await EntityTables.AssertPresentAsync(db, "queue", Tables);
        var f = Realistic.Faker(2);
        await AssertSlugidsConvertAsync(db, f);
        await AssertBuffersRoundTripAsync(db, f);

        var now = Times.Now();
        var group = Slugid.Next(f);
        var task = Realistic.Task(f, group, Realistic.TaskQueue(f), now);
        var worker = new JsonObject { ["provisionerId"] = task.ProvisionerId, ["workerType"] = task.WorkerType, ["workerGroup"] = "us-east-1", ["workerId"] = "i-0" + f.Random.Hash(16), ["quarantineUntil"] = Times.JsIso(DateTime.UnixEpoch), ["expires"] = Times.JsIso(now.AddDays(1)), ["recentTasks"] = new JsonArray() };
        var entities = new (string Table, string PartitionKey, string RowKey, string Properties)[]
        {
            ("queue_tasks_entities", task.TaskId.Slug, "task", task.EntityPropertiesWithoutBuffers()),
            ("queue_task_groups_entities", group.Slug, "taskGroup", Json.Text(new JsonObject { ["taskGroupId"] = group.Uuid, ["schedulerId"] = task.SchedulerId, ["expires"] = Times.JsIso(task.Expires) })),
            ("queue_task_dependency_entities", task.TaskId.Slug, Slugid.Next(f).Slug, Json.Text(new JsonObject { ["taskId"] = task.TaskId.Uuid, ["require"] = "completed", ["expires"] = Times.JsIso(task.Expires) })),
            ("queue_artifacts_entities", task.TaskId.Slug, "0~public!2Flogs!2Flive.log", Json.Text(new JsonObject { ["taskId"] = task.TaskId.Uuid, ["runId"] = 0, ["name"] = "public/logs/live.log", ["storageType"] = "s3", ["contentType"] = "text/plain; charset=utf-8", ["details"] = new JsonObject { ["bucket"] = "taskcluster-public-artifacts", ["prefix"] = task.TaskId.Slug + "/0/public/logs/live.log" }, ["present"] = true, ["expires"] = Times.JsIso(task.Expires) })),
            ("queue_workers_entities", $"{task.ProvisionerId}~{task.WorkerType}", "us-east-1~" + worker["workerId"], Json.Text(worker)),
            ("queue_worker_types_entities", task.ProvisionerId, task.WorkerType, Json.Text(new JsonObject { ["provisionerId"] = task.ProvisionerId, ["workerType"] = task.WorkerType, ["description"] = Realistic.Hostile(f), ["stability"] = "experimental", ["expires"] = Times.JsIso(now.AddDays(5)), ["lastDateActive"] = Times.JsIso(now) })),
            ("queue_provisioners_entities", task.ProvisionerId, "provisioner", Json.Text(new JsonObject { ["provisionerId"] = task.ProvisionerId, ["description"] = Realistic.Hostile(f), ["stability"] = "stable", ["actions"] = new JsonArray(), ["expires"] = Times.JsIso(now.AddDays(5)), ["lastDateActive"] = Times.JsIso(now) })),
        };
        foreach (var (table, partitionKey, rowKey, properties) in entities)
        {
            var modified = JsonNode.Parse(properties)!.AsObject();
            modified["expires"] = Times.JsIso(now.AddDays(400));
            modified["note"] = Realistic.Hostile(f);
            await EntityTables.VerifyAsync(db, "queue", table, partitionKey, rowKey, properties, Json.Text(modified));
        }
    }

    private static async Task AssertSlugidsConvertAsync(VersionContext db, Bogus.Faker f)
    {
        var ids = Enumerable.Range(0, 50).Select(_ => Slugid.Next(f)).ToArray();
        var rows = await db.RowsAsync(
            "select s.slug, slugid_to_uuid(s.slug)::text as uuid, uuid_to_slugid(u.uuid::uuid) as back " +
            "from unnest($1::text[], $2::text[]) as s(slug, uuid) cross join lateral (select s.uuid) as u(uuid)",
            ids.Select(i => i.Slug).ToArray(),
            ids.Select(i => i.Uuid).ToArray());
        Assert.That(rows.Select(r => r["uuid"]), Is.EqualTo(ids.Select(i => i.Uuid)), "slugid_to_uuid");
        Assert.That(rows.Select(r => r["back"]), Is.EqualTo(ids.Select(i => i.Slug)), "uuid_to_slugid");
    }

    private static async Task AssertBuffersRoundTripAsync(VersionContext db, Bogus.Faker f)
    {
        // Large enough for two 64 KiB base64 chunks; every line carries backslashes, quotes and unicode.
        var text = string.Join("\n", Enumerable.Range(0, 1400).Select(i => $"{i}: {Realistic.Hostile(f)} \\\"{f.Lorem.Sentence()}\" ☃🦀"));
        var row = (await db.RowsAsync(
            "select e.value as encoded, entity_buf_decode(e.value, 'payload') as decoded from (select entity_buf_encode('{\"kept\": true}'::jsonb, 'payload', $1) as value) as e",
            text)).Single();
        var encoded = Json.Parse(row["encoded"])!.AsObject();
        var chunks = (int)encoded["__bufchunks_payload"]!;
        Assert.That(chunks, Is.GreaterThanOrEqualTo(2), "the test text spans several chunks");
        Assert.That(string.Concat(Enumerable.Range(0, chunks).Select(i => (string)encoded[$"__buf{i}_payload"]!)), Is.EqualTo(Convert.ToBase64String(Encoding.UTF8.GetBytes(text))), "chunks are the UTF-8 bytes in base64");
        Assert.That((bool)encoded["kept"]!, Is.True, "other properties are kept");
        Assert.That(row["decoded"], Is.EqualTo(text), "decode(encode(text)) is the text, byte for byte");
    }
}
