using NUnit.Framework;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>
/// The five generic entity methods of every entities table, whatever phase its data is in, held to one
/// contract (<see cref="EntityContract"/>); the shapes come from each service's test file.
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
    public Task Entity_create_load_and_duplicate(EntityShape shape) => Contract(shape).CreateLoadsBackAndDuplicateIsUniqueViolationAsync();

    [TestCaseSource(nameof(RelationalTables))]
    public Task Entity_every_property_round_trips(EntityShape shape) => Contract(shape).EveryPropertyRoundTripsThroughLoadAndScanAsync();

    [TestCaseSource(nameof(AllTables))]
    public Task Entity_missing_rows(EntityShape shape) => Contract(shape).LoadAndRemoveOfMissingReturnNothingAsync();

    [TestCaseSource(nameof(AllTables))]
    public Task Entity_optimistic_modify(EntityShape shape) => Contract(shape).ModifyIsOptimisticAsync();

    [TestCaseSource(nameof(AllTables))]
    public Task Entity_scan_paging(EntityShape shape) => Contract(shape).ScanPagesInKeyOrderAsync();

    private EntityContract Contract(EntityShape shape) => new(Client(shape.Methods.Service), shape);
}
