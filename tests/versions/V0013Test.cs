using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 13: worker pools move from <c>wmworker_pools_entities</c> to the relational <c>worker_pools</c> table
/// (phase 2), with get/list/create/update/delete methods; update records the previous provider. Seeds
/// realistic worker pools (configs with Windows paths and unicode) through the entity method at version 12,
/// checks every column and the compatibility entity methods after the upgrade, exercises the new methods on a
/// pool of its own, and checks the downgrade rebuilds the entities unchanged.
/// </summary>
public sealed class V0013Test : VersionTest
{
    private const int Count = 25;
    private const string Table = "wmworker_pools_entities";
    private readonly List<(WorkerPoolSeed Pool, Guid Etag)> seeded = [];
    private readonly DateTime now = Times.Now();
    private List<SeededEntity> entities = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) => PhaseTwo.SeedNoGenericRows(rules, Table);

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(13);
        var pools = Enumerable.Range(0, Count).Select(i => Realistic.WorkerPool(f, i, now)).ToList();
        entities = await PhaseTwo.CreateAsync(db, "worker_manager", Table, pools.Select(p => (p.WorkerPoolId, "workerPool", p.EntityProperties())));
        seeded.AddRange(pools.Zip(entities, (pool, entity) => (pool, entity.Etag)));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("worker_pools"), Is.False, "no worker_pools table at version 12");
        Assert.That(await db.ValueAsync<long>("select count(*) from wmworker_pools_entities"), Is.EqualTo(Count));
        await PhaseTwo.AssertLoadAsync(db, "worker_manager", Table, entities, "at version 12");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("wmworker_pools_entities"), Is.False, "wmworker_pools_entities is dropped");
        var rows = (await db.RowsAsync(
            "select worker_pool_id, provider_id, previous_provider_ids, description, config, created, last_modified, owner, email_on_error, provider_data, etag from worker_pools"))
            .ToDictionary(r => (string)r["worker_pool_id"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(seeded.Select(s => s.Pool.WorkerPoolId)));
        foreach (var (pool, etag) in seeded)
        {
            AssertPoolRow(rows[pool.WorkerPoolId], pool, $"worker_pools row {pool.WorkerPoolId}");
            Assert.That(rows[pool.WorkerPoolId]["etag"], Is.EqualTo(etag), $"worker_pools row {pool.WorkerPoolId} keeps the entity etag");
        }

        await using var workerManager = await db.ClientAsync("worker_manager");
        foreach (var (pool, etag) in seeded.Where((_, i) => i % 4 == 0))
        {
            AssertPoolRow((await workerManager.CallAsync("get_worker_pool", pool.WorkerPoolId)).Single(), pool, $"get_worker_pool {pool.WorkerPoolId}");
            var entity = (await workerManager.CallAtVersionAsync(db, "wmworker_pools_entities_load", pool.WorkerPoolId, "workerPool")).Single();
            Assert.That(entity["etag"], Is.EqualTo(etag));
            Json.AssertSame(entity["value"], pool.EntityProperties(), $"wmworker_pools_entities_load of {pool.WorkerPoolId} rebuilds the entity");
        }

        var listed = new List<string>();
        await foreach (var row in workerManager.PaginateByIndexAsync("get_worker_pools", new Dictionary<string, object?>(), ["worker_pool_id"], pageSize: 6))
        {
            listed.Add((string)row["worker_pool_id"]!);
        }

        Assert.That(listed, Is.EquivalentTo(seeded.Select(s => s.Pool.WorkerPoolId)).And.Unique, "get_worker_pools, six per page");

        // A pool of its own through the new methods, deleted again so the downgrade sees the seed only.
        var extra = Realistic.WorkerPool(Realistic.Faker(133), 1000, now) with { ProviderId = "aws", PreviousProviderIds = [] };
        await workerManager.CallAsync("create_worker_pool", extra.WorkerPoolId, extra.ProviderId, "[]", extra.Description, extra.Config, extra.Created, extra.LastModified, extra.Owner, extra.EmailOnError, extra.ProviderData);
        var etagBefore = (await workerManager.CallAsync("get_worker_pool", extra.WorkerPoolId)).Single()["etag"];
        var stale = Assert.ThrowsAsync<DbFunctionException>(() => workerManager.CallAsync("update_worker_pool", extra.WorkerPoolId, "google", extra.Description, extra.Config, now, extra.Owner, true, Guid.NewGuid()));
        Assert.That(stale!.SqlState, Is.EqualTo("P0004"), "update_worker_pool with a stale etag");
        var previous = (await workerManager.CallAsync("update_worker_pool", extra.WorkerPoolId, "google", extra.Description, extra.Config, now, extra.Owner, true, etagBefore)).Scalar();
        Assert.That(previous, Is.EqualTo("aws"), "update_worker_pool returns the previous provider");
        var updated = (await workerManager.CallAsync("get_worker_pool", extra.WorkerPoolId)).Single();
        Assert.That((updated["provider_id"], updated["last_modified"], updated["email_on_error"]), Is.EqualTo(((object)"google", (object)now, (object)true)), "update_worker_pool");
        Json.AssertSame(updated["previous_provider_ids"], "[\"aws\"]", "the old provider is kept for clean-up");
        await workerManager.CallAsync("delete_worker_pool", extra.WorkerPoolId);
        Assert.That(await workerManager.CallAsync("get_worker_pool", extra.WorkerPoolId), Is.Empty, "delete_worker_pool");
    }

    private static void AssertPoolRow(IReadOnlyDictionary<string, object?> row, WorkerPoolSeed pool, string what)
    {
        Assert.That(
            new[] { row["provider_id"], row["description"], row["created"], row["last_modified"], row["owner"], row["email_on_error"] },
            Is.EqualTo(new object[] { pool.ProviderId, pool.Description, pool.Created, pool.LastModified, pool.Owner, pool.EmailOnError }),
            what);
        Json.AssertSame(row["previous_provider_ids"], Json.Text(Json.Strings(pool.PreviousProviderIds)), $"{what}: previous_provider_ids");
        Json.AssertSame(row["config"], pool.Config, $"{what}: config");
        Json.AssertSame(row["provider_data"], pool.ProviderData, $"{what}: provider_data");
    }
}
