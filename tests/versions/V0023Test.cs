using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 23: notify's denylist moves from <c>denylisted_notification_entities</c> to the relational
/// <c>denylisted_notifications</c> table (phase 2). Seeds realistic denied e-mail addresses, pulse routes, Matrix
/// rooms and Slack channels through the entity method at version 22, checks the rows, exists_denylist_address and
/// all_denylist_addresses after the upgrade, and that the entity view and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0023Test : VersionTest
{
    private const string Table = "denylisted_notification_entities";
    private List<SeededEntity> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public." + Table] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(23);
        seeded = await PhaseTwo.CreateAsync(db, "notify", Table, Enumerable.Range(0, 25).Select(i => ServiceEntities.DenylistedAddress(f, i).Row));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("denylisted_notifications"), Is.False, "no denylisted_notifications at version 22");
        await PhaseTwo.AssertLoadAsync(db, "notify", Table, seeded, "at version 22");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync(Table), Is.False, $"{Table} is dropped");
        await PhaseTwo.AssertRowsAsync(db, "denylisted_notifications", seeded, ("notification_type", "notificationType"), ("notification_address", "notificationAddress"));

        await using var notify = await db.ClientAsync("notify");
        foreach (var entity in seeded.Where((_, i) => i % 4 == 0))
        {
            Assert.That((await notify.CallAsync("exists_denylist_address", entity.PartitionKey, entity.RowKey)).Single()["exists_denylist_address"], Is.True, $"{entity.PartitionKey} {entity.RowKey} is denied");
            Assert.That((await notify.CallAsync("exists_denylist_address", entity.PartitionKey, entity.RowKey + "x")).Single()["exists_denylist_address"], Is.False);
        }

        var all = await notify.PaginateByIndexAsync("all_denylist_addresses", new Dictionary<string, object?>(), ["notification_type", "notification_address"], pageSize: 4)
            .Select(r => ((string)r["notification_type"]!, (string)r["notification_address"]!)).ToListAsync();
        Assert.That(all, Is.EquivalentTo(seeded.Select(e => (e.PartitionKey, e.RowKey))).And.Unique, "all_denylist_addresses pages over the whole denylist once");

        await PhaseTwo.AssertLoadAsync(db, "notify", Table, seeded, "at version 23");
    }
}
