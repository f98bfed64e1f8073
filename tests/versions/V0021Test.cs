using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 21: hooks, their pulse queues and their last fires move from entities to the relational
/// <c>hooks</c>, <c>hooks_queues</c> and <c>hooks_last_fires</c> tables (phase 2; the last fires' partition key
/// <c>hookGroupId~hookId</c> becomes two columns). Seeds realistic hooks (cron schedules, encrypted trigger tokens,
/// trigger schemas with regular expressions) through the entity methods at version 20, checks every column and
/// the typed methods after the upgrade, and that the entity views and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0021Test : VersionTest
{
    private static readonly string[] Tables = ["hooks_entities", "queues_entities", "last_fire_3_entities"];
    private readonly DateTime now = Times.Now();
    private readonly Dictionary<string, List<SeededEntity>> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) => PhaseTwo.SeedNoGenericRows(rules, Tables);

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(21);
        var hookEntities = Enumerable.Range(0, 20).Select(i => ServiceEntities.Hook(f, i, now)).ToList();
        seeded["hooks_entities"] = await PhaseTwo.CreateAsync(db, "hooks", "hooks_entities", hookEntities.Select(e => e.Row));
        seeded["queues_entities"] = await PhaseTwo.CreateAsync(db, "hooks", "queues_entities", Enumerable.Range(0, 10).Select(i => ServiceEntities.HookQueue(f, i).Row));
        seeded["last_fire_3_entities"] = await PhaseTwo.CreateAsync(db, "hooks", "last_fire_3_entities", Enumerable.Range(0, 30).Select(i => ServiceEntities.LastFire(f, hookEntities[i % 4].PartitionKey, hookEntities[i % 4].RowKey, now).Row));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("hooks"), Is.False, "no hooks table at version 20");
        await PhaseTwo.AssertLoadAsync(db, "hooks", seeded, "at version 20");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await PhaseTwo.AssertDroppedAsync(db, Tables);

        await PhaseTwo.AssertRowsAsync(
            db, "hooks", seeded["hooks_entities"], ("hook_group_id", "hookGroupId"), ("hook_id", "hookId"), ("metadata", "metadata"), ("task", "task"), ("bindings", "bindings"), ("schedule", "schedule"),
            ("encrypted_trigger_token", "triggerToken"), ("encrypted_next_task_id", "nextTaskId"), ("next_scheduled_date", "nextScheduledDate"), ("trigger_schema", "triggerSchema"));
        await PhaseTwo.AssertRowsAsync(db, "hooks_queues", seeded["queues_entities"], ("hook_group_id", "hookGroupId"), ("hook_id", "hookId"), ("queue_name", "queueName"), ("bindings", "bindings"));
        await PhaseTwo.AssertRowsAsync(
            db, "hooks_last_fires", seeded["last_fire_3_entities"], ("hook_group_id", "hookGroupId"), ("hook_id", "hookId"), ("fired_by", "firedBy"), ("task_id", "taskId"),
            ("task_create_time", "taskCreateTime"), ("result", "result"), ("error", "error"));

        await using var client = await db.ClientAsync("hooks");
        foreach (var hook in seeded["hooks_entities"].Where((_, i) => i % 4 == 0))
        {
            var row = (await client.CallAsync("get_hook", hook.PartitionKey, hook.RowKey)).Single();
            Json.AssertSame(row["task"], Json.Parse(hook.Properties)!["task"]!.ToJsonString(), $"get_hook task of {hook.PartitionKey}/{hook.RowKey}");
        }

        var paged = await client.PaginateByIndexAsync("get_hooks", new Dictionary<string, object?> { ["hook_group_id_in"] = null }, ["hook_group_id", "hook_id"], pageSize: 3)
            .Select(r => ((string)r["hook_group_id"]!, (string)r["hook_id"]!)).ToListAsync();
        Assert.That(paged, Is.EquivalentTo(seeded["hooks_entities"].Select(h => (h.PartitionKey, h.RowKey))).And.Unique, "get_hooks pages over every hook once");

        var queueNames = await client.PaginateByIndexAsync("get_hooks_queues", new Dictionary<string, object?>(), ["hook_group_id", "hook_id"], pageSize: 4)
            .Select(r => (string)r["queue_name"]!).ToListAsync();
        Assert.That(queueNames, Is.EquivalentTo(seeded["queues_entities"].Select(q => Json.Parse(q.Properties)!["queueName"]!.GetValue<string>())), "get_hooks_queues");

        var firstHook = seeded["hooks_entities"][0];
        var lastFires = await client.PaginateByIndexAsync(
                "get_last_fires", new Dictionary<string, object?> { ["hook_group_id_in"] = firstHook.PartitionKey, ["hook_id_in"] = firstHook.RowKey }, ["task_create_time", "task_id"], pageSize: 2)
            .Select(r => (string)r["task_id"]!).ToListAsync();
        Assert.That(lastFires, Is.EquivalentTo(seeded["last_fire_3_entities"].Where(e => e.PartitionKey == firstHook.PartitionKey + "~" + firstHook.RowKey).Select(e => e.RowKey)), "get_last_fires of the first hook");

        await PhaseTwo.AssertLoadAsync(db, "hooks", seeded, "at version 21");
    }
}
