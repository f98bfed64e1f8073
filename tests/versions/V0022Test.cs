using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 22: the index's indexed tasks and namespaces move from entities to the relational
/// <c>indexed_tasks</c> and <c>index_namespaces</c> tables (phase 2). Seeds realistic gecko index entries (ranks,
/// expired and live entries, the root namespace as the empty parent, unicode names) through the entity methods at
/// version 21, checks every column and the typed getters and expiry counts after the upgrade, and that the entity
/// views and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0022Test : VersionTest
{
    private static readonly string[] Tables = ["indexed_tasks_entities", "namespaces_entities"];
    private readonly DateTime now = Times.Now();
    private readonly Dictionary<string, List<SeededEntity>> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) => PhaseTwo.SeedNoGenericRows(rules, Tables);

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(22);
        seeded["indexed_tasks_entities"] = await PhaseTwo.CreateAsync(db, "index", "indexed_tasks_entities", Enumerable.Range(0, 30).Select(i => ServiceEntities.IndexedTask(f, i, now).Row));
        seeded["namespaces_entities"] = await PhaseTwo.CreateAsync(db, "index", "namespaces_entities", Enumerable.Range(0, 20).Select(i => ServiceEntities.IndexNamespace(f, i, now).Row));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("indexed_tasks"), Is.False, "no indexed_tasks table at version 21");
        await PhaseTwo.AssertLoadAsync(db, "index", seeded, "at version 21");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await PhaseTwo.AssertDroppedAsync(db, Tables);

        await PhaseTwo.AssertRowsAsync(db, "indexed_tasks", seeded["indexed_tasks_entities"], ("namespace", "namespace"), ("name", "name"), ("rank", "rank"), ("task_id", "taskId"), ("data", "data"), ("expires", "expires"));
        await PhaseTwo.AssertRowsAsync(db, "index_namespaces", seeded["namespaces_entities"], ("parent", "parent"), ("name", "name"), ("expires", "expires"));

        await using var index = await db.ClientAsync("index");
        foreach (var task in seeded["indexed_tasks_entities"].Where((_, i) => i % 3 == 0))
        {
            var row = (await index.CallAsync("get_indexed_task", task.PartitionKey, task.RowKey)).Single();
            Assert.That(row["task_id"], Is.EqualTo(Json.Parse(task.Properties)!["taskId"]!.GetValue<string>()), $"get_indexed_task {task.PartitionKey}.{task.RowKey}");
        }

        var someNamespace = seeded["indexed_tasks_entities"][0].PartitionKey;
        var names = await index.PaginateByIndexAsync("get_indexed_tasks", new Dictionary<string, object?> { ["namespace_in"] = someNamespace }, ["name"], pageSize: 2)
            .Select(r => (string)r["name"]!).ToListAsync();
        Assert.That(names, Is.EquivalentTo(seeded["indexed_tasks_entities"].Where(t => t.PartitionKey == someNamespace).Select(t => t.RowKey)), $"get_indexed_tasks of {someNamespace}");

        var root = await index.PaginateByIndexAsync("get_index_namespaces", new Dictionary<string, object?> { ["parent_in"] = string.Empty }, ["name"], pageSize: 2)
            .Select(r => (string)r["name"]!).ToListAsync();
        Assert.That(root, Is.Not.Empty.And.EquivalentTo(seeded["namespaces_entities"].Where(n => n.PartitionKey.Length == 0).Select(n => n.RowKey)), "get_index_namespaces of the root");

        Assert.That(
            await db.ValueAsync<long>("select count(*) from index_namespaces where expires < now()"),
            Is.EqualTo(seeded["namespaces_entities"].Count(n => DateTime.Parse(Json.Parse(n.Properties)!["expires"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime() < DateTime.UtcNow)),
            "expired namespaces keep their expiry");

        await PhaseTwo.AssertLoadAsync(db, "index", seeded, "at version 22");
    }
}
