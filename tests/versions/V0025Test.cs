using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 25: purge-cache requests move from <c>cache_purges_entities</c> (partition key
/// <c>provisionerId~workerType</c>) to the relational <c>cache_purges</c> table (phase 2). Seeds realistic requests
/// (cache names with backslashes and unicode, some expired) through the entity method at version 24, checks every
/// column, purge_requests per worker type and all_purge_requests after the upgrade, and that the entity view and
/// the downgrade rebuild the same entities.
/// </summary>
public sealed class V0025Test : VersionTest
{
    private const string Table = "cache_purges_entities";
    private List<SeededEntity> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) =>
        rules["public." + Table] = new TableSeedRule { Rows = 0 };

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(25);
        var now = Times.Now();
        seeded = await PhaseTwo.CreateAsync(db, "purge_cache", Table, Enumerable.Range(0, 30).Select(i => ServiceEntities.CachePurge(f, i, now).Row));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("cache_purges"), Is.False, "no cache_purges at version 24");
        await PhaseTwo.AssertLoadAsync(db, "purge_cache", Table, seeded, "at version 24");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync(Table), Is.False, $"{Table} is dropped");
        await PhaseTwo.AssertRowsAsync(
            db, "cache_purges", seeded, ("provisioner_id", "provisionerId"), ("worker_type", "workerType"), ("cache_name", "cacheName"), ("before", "before"), ("expires", "expires"));

        await using var purgeCache = await db.ClientAsync("purge_cache");
        foreach (var workerType in seeded.Select(e => e.PartitionKey).Distinct().Take(5))
        {
            var parts = workerType.Split('~');
            var requests = await purgeCache.CallAsync("purge_requests", parts[0], parts[1]);
            Assert.That(requests.Select(r => r["cache_name"]), Is.EquivalentTo(seeded.Where(e => e.PartitionKey == workerType).Select(e => e.RowKey)), $"purge_requests of {workerType}");
        }

        var all = await purgeCache.PaginateByIndexAsync("all_purge_requests", new Dictionary<string, object?>(), ["provisioner_id", "worker_type", "cache_name"], pageSize: 4)
            .Select(r => ($"{r["provisioner_id"]}~{r["worker_type"]}", (string)r["cache_name"]!)).ToListAsync();
        Assert.That(all, Is.EquivalentTo(seeded.Select(e => (e.PartitionKey, e.RowKey))).And.Unique, "all_purge_requests pages over every request once");

        await PhaseTwo.AssertLoadAsync(db, "purge_cache", Table, seeded, "at version 25");
    }
}
