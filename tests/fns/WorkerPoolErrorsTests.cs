using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>Worker-manager's worker pool errors (v19): the relational table, its methods and its entities shim.</summary>
[TestFixture]
public sealed class WorkerPoolErrorsTests : FunctionTest
{
    private const string Pool = "proj/" + Values.Tricky;

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("worker_manager", "wmworker_pool_errors_entities_load", "wmworker_pool_errors_entities_create", "wmworker_pool_errors_entities_modify", "wmworker_pool_errors_entities_remove", "wmworker_pool_errors_entities_scan"),
            i => $"{i:D3}/pool/{Values.Tricky}",
            string.Empty,
            key => ErrorEntity(key, ErrorIdOf(key), Times.Now()),
            "extra",
            RowKeyFor: ErrorIdOf),
    ];

    private readonly Faker faker = new();

    private FunctionClient Wm => Client("worker_manager");

    [Test]
    public async Task Create_then_get_error_round_trips_every_column()
    {
        var (errorId, reported) = (Slugid.Random().Slug, Times.Now().AddMinutes(-1));

        var etag = (await Wm.CallAsync("create_worker_pool_error", errorId, Pool, reported, "instance-boot", Values.Tricky, Values.Tricky, Values.TrickyJson())).Single()["create_worker_pool_error"];

        var row = (await Wm.CallAsync("get_worker_pool_error", errorId, Pool)).Single();
        Assert.That((row["error_id"], row["worker_pool_id"], row["reported"], row["kind"]), Is.EqualTo((errorId, Pool, reported, "instance-boot")));
        Assert.That((row["title"], row["description"], row["etag"]), Is.EqualTo((Values.Tricky, Values.Tricky, etag)));
        Assert.That(Json.Same(row["extra"], Values.TrickyJson()), Is.True, (string)row["extra"]!);
    }

    [Test]
    public async Task An_error_id_is_unique_across_pools_and_belongs_to_its_own_pool()
    {
        var errorId = Slugid.Random().Slug;
        await CreateAsync(errorId, Pool, Times.Now());

        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateAsync(errorId, Pool, Times.Now()));
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateAsync(errorId, "other/pool", Times.Now()));
        Assert.That(await Wm.CallAsync("get_worker_pool_error", errorId, "other/pool"), Is.Empty);
        Assert.That(await Wm.CallAsync("get_worker_pool_error", Slugid.Random().Slug, Pool), Is.Empty);
    }

    [Test]
    public async Task Deleting_needs_the_right_pool_and_missing_errors_are_harmless()
    {
        var errorId = Slugid.Random().Slug;
        await CreateAsync(errorId, Pool, Times.Now());

        await Wm.CallAsync("delete_worker_pool_error", errorId, "other/pool");
        Assert.That(await Wm.CallAsync("get_worker_pool_error", errorId, Pool), Has.Count.EqualTo(1), "another pool's delete leaves the error");
        Assert.DoesNotThrowAsync(() => Wm.CallAsync("delete_worker_pool_error", Slugid.Random().Slug, Pool));

        await Wm.CallAsync("delete_worker_pool_error", errorId, Pool);
        Assert.That(await Wm.CallAsync("get_worker_pool_error", errorId, Pool), Is.Empty);
    }

    [Test]
    public async Task Errors_of_a_pool_page_newest_first_across_boundaries_and_ties()
    {
        var start = Times.Now().AddHours(-1);
        var errors = new List<(DateTime Reported, string ErrorId)>();
        for (var i = 0; i < 7; i++)
        {
            // Three pairs share a reported time: the error id breaks the tie, so a page boundary may fall inside a pair.
            errors.Add((start.AddMinutes(i / 2), Slugid.Ordered(i).Slug));
        }

        foreach (var (reported, errorId) in errors)
        {
            await CreateAsync(errorId, Pool, reported);
        }

        await CreateAsync(Slugid.Random().Slug, "other/pool", start.AddMinutes(30));

        var seen = await Wm.PaginateByIndexAsync("get_worker_pool_errors", new Dictionary<string, object?> { ["worker_pool_id_in"] = Pool }, ["reported", "error_id"], pageSize: 2)
            .Select(r => ((DateTime)r["reported"]!, (string)r["error_id"]!)).ToListAsync();

        Assert.That(seen, Is.EqualTo(errors.OrderByDescending(e => e.Reported).ThenByDescending(e => e.ErrorId, StringComparer.Ordinal)));
    }

    [Test]
    public async Task Expire_worker_pool_errors_deletes_errors_reported_before_the_time()
    {
        var (old, recent) = (Slugid.Random().Slug, Slugid.Random().Slug);
        await CreateAsync(old, Pool, Times.Now().AddDays(-8));
        await CreateAsync(recent, Pool, Times.Now().AddDays(-1));

        Assert.That((await Wm.CallAsync("expire_worker_pool_errors", Times.Now().AddDays(-7))).Single()["expire_worker_pool_errors"], Is.EqualTo(1));
        Assert.That(await Wm.CallAsync("get_worker_pool_error", old, Pool), Is.Empty);
        Assert.That(await Wm.CallAsync("get_worker_pool_error", recent, Pool), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Other_services_cannot_write_errors_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("create_worker_pool_error", Slugid.Random().Slug, Pool, Times.Now(), "k", "t", "d", new JsonObject()));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("auth").CallAsync("expire_worker_pool_errors", Times.Now()));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("get_worker_pool_errors", Pool, 10, null, null));
    }

    [Test]
    public async Task An_entity_may_not_take_over_the_error_id_of_another_pool()
    {
        var errorId = Slugid.Random().Slug;
        await CreateAsync(errorId, "other/pool", Times.Now());

        await AssertSqlStateAsync(
            SqlStates.UniqueViolation, () => Wm.CallAsync("wmworker_pool_errors_entities_create", Pool, errorId, ErrorEntity(Pool, errorId, Times.Now()), true, 1));
        await AssertSqlStateAsync(
            "P0002", () => Wm.CallAsync("wmworker_pool_errors_entities_modify", Pool, errorId, ErrorEntity(Pool, errorId, Times.Now()), 1, Guid.NewGuid()));
        Assert.That(await Wm.CallAsync("wmworker_pool_errors_entities_load", Pool, errorId), Is.Empty);
        Assert.That(await Wm.CallAsync("wmworker_pool_errors_entities_remove", Pool, errorId), Is.Empty);
        Assert.That((await Wm.CallAsync("get_worker_pool_error", errorId, "other/pool")).Single()["title"], Is.EqualTo("title"));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        var (errorId, reported) = (Slugid.Random().Slug, Times.Now().AddMinutes(-2));
        await Wm.CallAsync("create_worker_pool_error", errorId, Pool, reported, "k", Values.Tricky, Values.Tricky, Values.TrickyJson());

        var entity = (await Wm.CallAsync("wmworker_pool_errors_entities_load", Pool, errorId)).Single();
        Assert.That(Json.Same(entity["value"], ErrorEntity(Pool, errorId, reported)), Is.True, (string)entity["value"]!);
        Assert.That(await Wm.CallAsync("wmworker_pool_errors_entities_scan", Pool, null, null, null, null), Has.Count.EqualTo(1));

        var other = Slugid.Random().Slug;
        var etag = (await Wm.CallAsync("wmworker_pool_errors_entities_create", Pool, other, ErrorEntity(Pool, other, reported), false, 1)).Single()["wmworker_pool_errors_entities_create"];
        var typed = await Wm.CallAsync("get_worker_pool_errors", Pool, 10, null, null);
        Assert.That(typed.Select(r => r["error_id"]), Is.EquivalentTo(new[] { errorId, other }));
        Assert.That(typed.Single(r => (string)r["error_id"]! == other)["etag"], Is.EqualTo(etag));
    }

    private Task CreateAsync(string errorId, string pool, DateTime reported) =>
        Wm.CallAsync("create_worker_pool_error", errorId, pool, reported, faker.Hacker.Noun(), "title", faker.Lorem.Sentence(), new JsonObject());

    /// <summary>One error id per pool key of the entity shape (the error id alone is the primary key).</summary>
    private static string ErrorIdOf(string poolKey) => Slugid.Ordered(int.Parse(poolKey[..3], System.Globalization.CultureInfo.InvariantCulture)).Slug;

    private static JsonObject ErrorEntity(string pool, string errorId, DateTime reported) => new()
    {
        ["workerPoolId"] = pool,
        ["errorId"] = errorId,
        ["reported"] = Times.JsIso(reported),
        ["kind"] = "k",
        ["title"] = Values.Tricky,
        ["description"] = Values.Tricky,
        ["extra"] = Values.TrickyJson(),
    };
}
