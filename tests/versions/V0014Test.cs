using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 14: queue task groups move from <c>queue_task_groups_entities</c> to the relational
/// <c>task_groups</c> table (phase 2), keyed by slugid, with ensure/get/expire methods. Seeds realistic task
/// groups (uuid ids in the entity) through the entity method at version 13, checks every column after the
/// upgrade and the compatibility entity view, exercises ensure_task_group and expire_task_groups on groups of
/// its own, and checks the downgrade rebuilds the entities unchanged.
/// </summary>
public sealed class V0014Test : VersionTest
{
    private const int Count = 30;
    private const string Table = "queue_task_groups_entities";
    private readonly List<(TaskGroupSeed Group, Guid Etag)> seeded = [];
    private readonly DateTime now = Times.Now();
    private List<SeededEntity> entities = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) => PhaseTwo.SeedNoGenericRows(rules, Table);

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(14);
        var groups = Enumerable.Range(0, Count).Select(_ => Realistic.TaskGroup(f, now)).ToList();
        entities = await PhaseTwo.CreateAsync(db, "queue", Table, groups.Select(g => (g.TaskGroupId.Slug, "taskGroup", g.EntityProperties())));
        seeded.AddRange(groups.Zip(entities, (group, entity) => (group, entity.Etag)));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("task_groups"), Is.False, "no task_groups table at version 13");
        Assert.That(await db.ValueAsync<long>("select count(*) from queue_task_groups_entities"), Is.EqualTo(Count));
        await PhaseTwo.AssertLoadAsync(db, "queue", Table, entities, "at version 13");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("queue_task_groups_entities"), Is.False, "queue_task_groups_entities is dropped");
        var rows = (await db.RowsAsync("select task_group_id, scheduler_id, expires, etag from task_groups")).ToDictionary(r => (string)r["task_group_id"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(seeded.Select(s => s.Group.TaskGroupId.Slug)));
        await using var queue = await db.ClientAsync("queue");
        foreach (var (group, etag) in seeded)
        {
            var row = rows[group.TaskGroupId.Slug];
            Assert.That((row["scheduler_id"], row["expires"], row["etag"]), Is.EqualTo(((object)group.SchedulerId, (object)group.Expires, (object)etag)), $"task_groups row {group.TaskGroupId}");
            var got = (await queue.CallAsync("get_task_group", group.TaskGroupId.Slug)).Single();
            Assert.That((got["scheduler_id"], got["expires"]), Is.EqualTo(((object)group.SchedulerId, (object)group.Expires)), $"get_task_group {group.TaskGroupId}");
            var entity = (await queue.CallAtVersionAsync(db, "queue_task_groups_entities_load", group.TaskGroupId.Slug, "taskGroup")).Single();
            Json.AssertSame(entity["value"], group.EntityProperties(), $"queue_task_groups_entities_load of {group.TaskGroupId} rebuilds the uuid entity");
        }

        // Groups of its own, older than every seeded group, so expire_task_groups removes exactly them.
        var f = Realistic.Faker(144);
        var ancient = new DateTime(1999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc);
        var mine = Enumerable.Range(0, 3).Select(_ => Slugid.Next(f).Slug).ToArray();
        foreach (var id in mine)
        {
            await queue.CallAsync("ensure_task_group", id, "gecko-level-3", ancient.AddDays(-10));
        }

        await queue.CallAsync("ensure_task_group", mine[0], "gecko-level-3", ancient);
        await queue.CallAsync("ensure_task_group", mine[0], "gecko-level-3", ancient.AddDays(-20));
        Assert.That((await queue.CallAsync("get_task_group", mine[0])).Single()["expires"], Is.EqualTo(ancient), "ensure_task_group extends and never shortens the expiry");
        var other = Assert.ThrowsAsync<DbFunctionException>(() => queue.CallAsync("ensure_task_group", mine[0], "taskcluster-github", ancient));
        Assert.That(other!.SqlState, Is.EqualTo("P0004"), "ensure_task_group for another scheduler");
        Assert.That((await queue.CallAsync("expire_task_groups", ancient.AddDays(1))).Scalar(), Is.EqualTo(mine.Length), "expire_task_groups removes only the expired groups");
        Assert.That(await db.ValueAsync<long>("select count(*) from task_groups"), Is.EqualTo(Count));
    }
}
