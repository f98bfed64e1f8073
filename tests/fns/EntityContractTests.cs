using NUnit.Framework;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>
/// The five generic entity methods of every entities table, whatever phase its data is in, held to one
/// contract (<see cref="EntityContract"/>, shared with the version tests); the shapes come from each service's test file.
/// </summary>
[TestFixture]
public sealed class EntityContractTests : FunctionTest
{
    /// <summary>Every entities table of db/.</summary>
    private static readonly EntityShape[] AllTables =
    [
        .. AuthTests.Entities, .. QueueTests.Entities, .. SecretsTests.Entities, .. WorkerManagerTests.Entities,
        .. RelationalTables,
    ];

    /// <summary>The tables versions 15-19 and 21-26 moved to relational storage: their entity views must give back every property written.</summary>
    private static EntityShape[] RelationalTables =>
    [
        .. QueueArtifactsTests.Entities, .. QueueDependenciesTests.Entities, .. QueueProvisionersTests.Entities,
        .. QueueWorkersTests.Entities, .. WorkerManagerWorkersTests.Entities, .. WorkerPoolErrorsTests.Entities,
        .. HooksTests.Entities, .. IndexTests.Entities, .. NotifyTests.Entities, .. GithubTests.Entities,
        .. PurgeCacheTests.Entities, .. WebServerTests.Entities,
    ];

    [TestCaseSource(nameof(AllTables))]
    public async Task Entity_create_load_and_duplicate(EntityShape shape)
    {
        var contract = Contract(shape);
        var entity = shape.Entity(1);

        var etag = await contract.AssertCreatedAndLoadedAsync(entity);
        await contract.AssertOverwriteReplacesAsync(entity, etag);
    }

    /// <summary>Their properties are complete (times in <see cref="Times.JsIso"/> form): load and scan give back exactly the value written.</summary>
    [TestCaseSource(nameof(RelationalTables))]
    public async Task Entity_every_property_round_trips(EntityShape shape)
    {
        var contract = new EntityContract(Client(shape.Methods.Service), shape.Methods);
        var entity = shape.Entity(3);

        var etag = await contract.AssertCreatedAndLoadedAsync(entity);
        await contract.AssertScanFindsOnlyAsync(entity, etag);
    }

    [TestCaseSource(nameof(AllTables))]
    public async Task Entity_missing_rows(EntityShape shape)
    {
        var contract = Contract(shape);
        var entity = shape.Entity(7);

        await contract.AssertMissingAsync(entity);
        var etag = await contract.CreateAsync(entity, overwrite: false);
        await contract.AssertRemovedAsync(entity, etag);
    }

    [TestCaseSource(nameof(AllTables))]
    public async Task Entity_optimistic_modify(EntityShape shape)
    {
        var contract = Contract(shape);
        var entity = shape.Entity(2);

        await contract.AssertModifyOfMissingRowFailsAsync(entity);
        var etag = await contract.CreateAsync(entity, overwrite: false);
        await contract.AssertModifyIsOptimisticAsync(entity, etag);
    }

    [TestCaseSource(nameof(AllTables))]
    public Task Entity_scan_paging(EntityShape shape) =>
        Contract(shape).AssertScanPagesInKeyOrderAsync([.. Enumerable.Range(10, shape.Singleton ? 1 : 5).Select(shape.Entity)]);

    /// <summary>The contract comparing only the shape's checked property: the other properties of a phase-2 shim may come back rebuilt.</summary>
    private EntityContract Contract(EntityShape shape) => new(Client(shape.Methods.Service), shape.Methods, shape.CheckedProperty);
}
