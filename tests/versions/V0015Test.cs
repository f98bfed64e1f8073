using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 15: queue task dependencies move from <c>queue_task_dependency_entities</c> (uuid ids in the value)
/// to the relational <c>task_dependencies</c> table, one row per edge keyed by slugids, with methods to list
/// dependents and requirements. Seeds a realistic dependency graph through the entity method at version 14,
/// checks every edge's columns and the new listing methods (paged) after the upgrade, and that the entity
/// view and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0015Test : VersionTest
{
    private const string Table = "queue_task_dependency_entities";
    private readonly List<(Slugid Required, Slugid Dependent, string Requires, DateTime Expires)> edges = [];
    private List<SeededEntity> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public." + Table] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(15);
        var now = Times.Now();
        var tasks = Enumerable.Range(0, 12).Select(_ => Slugid.Next(f)).ToArray();
        // A decision task everything depends on, then chains: each task requires a few earlier ones.
        for (var i = 1; i < tasks.Length; i++)
        {
            foreach (var j in new[] { 0, i - 1, i / 2 }.Distinct().Where(j => j < i))
            {
                edges.Add((tasks[j], tasks[i], f.PickRandom("completed", "resolved"), Realistic.Time(f, now.AddDays(100), 50)));
            }
        }

        seeded = await PhaseTwo.CreateAsync(db, "queue", Table, edges.Select(e => (e.Required.Slug, e.Dependent.Slug, Json.Text(new JsonObject
        {
            ["taskId"] = e.Required.Uuid,
            ["dependentTaskId"] = e.Dependent.Uuid,
            ["require"] = e.Requires,
            ["expires"] = Times.JsIso(e.Expires),
        }))));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("task_dependencies"), Is.False, "no task_dependencies at version 14");
        await PhaseTwo.AssertLoadAsync(db, "queue", Table, seeded, "at version 14");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync(Table), Is.False, $"{Table} is dropped");
        var rows = (await db.RowsAsync("select required_task_id, dependent_task_id, requires::text as requires, expires, etag from task_dependencies"))
            .ToDictionary(r => ((string)r["required_task_id"]!, (string)r["dependent_task_id"]!));
        Assert.That(rows.Keys, Is.EquivalentTo(edges.Select(e => (e.Required.Slug, e.Dependent.Slug))));
        foreach (var (edge, entity) in edges.Zip(seeded))
        {
            var row = rows[(edge.Required.Slug, edge.Dependent.Slug)];
            Assert.That((row["requires"], row["expires"], row["etag"]), Is.EqualTo(((object)edge.Requires, (object)edge.Expires, (object)entity.Etag)), $"edge {edge.Required} -> {edge.Dependent}");
        }

        await PhaseTwo.AssertLoadAsync(db, "queue", Table, seeded, "at version 15");
        await using var queue = await db.ClientAsync("queue");
        foreach (var required in edges.Select(e => e.Required).Distinct())
        {
            var dependents = new List<object?>();
            await foreach (var row in queue.PaginateByIndexAsync("get_dependent_tasks", new Dictionary<string, object?> { ["required_task_id_in"] = required.Slug }, ["dependent_task_id"], pageSize: 2))
            {
                dependents.Add(row["dependent_task_id"]);
            }

            Assert.That(dependents, Is.EquivalentTo(edges.Where(e => e.Required == required).Select(e => e.Dependent.Slug)).And.Unique, $"get_dependent_tasks {required}, two per page");
        }

        var last = edges[^1].Dependent;
        var requiredOfLast = await queue.CallAsync("get_required_tasks", last.Slug, 100, null);
        Assert.That(requiredOfLast.Select(r => (r["required_task_id"], r["requires"])), Is.EquivalentTo(edges.Where(e => e.Dependent == last).Select(e => ((object?)e.Required.Slug, (object?)e.Requires))), "get_required_tasks");

        // An edge of its own, deleted again so the downgrade sees the seed only.
        var f = Realistic.Faker(155);
        var (a, b) = (Slugid.Next(f), Slugid.Next(f));
        await queue.CallAsync("create_task_dependency", b.Slug, a.Slug, "resolved", Times.Now().AddDays(1));
        Assert.That((await queue.CallAsync("get_required_tasks", b.Slug, 10, null)).Select(r => r["required_task_id"]), Is.EqualTo(new object[] { a.Slug }), "create_task_dependency");
        await queue.CallAsync("delete_task_dependency", b.Slug, a.Slug);
        Assert.That(await queue.CallAsync("get_required_tasks", b.Slug, 10, null), Is.Empty, "delete_task_dependency");
    }
}
