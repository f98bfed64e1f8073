using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The queue's task dependencies (v15): the relational table, its methods and its entities shim.</summary>
[TestFixture]
public sealed class QueueDependenciesTests : FunctionTest
{
    private static readonly string Dependent = Slugid.Ordered(25).Slug;

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("queue", "queue_task_dependency_entities_load", "queue_task_dependency_entities_create", "queue_task_dependency_entities_modify", "queue_task_dependency_entities_remove", "queue_task_dependency_entities_scan"),
            i => Slugid.Ordered(i).Slug,
            Dependent,
            key => DependencyEntity(key, Dependent, "resolved", DateTime.UtcNow.AddDays(1)),
            "taskId"),
    ];

    private FunctionClient Queue => Client("queue");

    [Test]
    public async Task Dependencies_are_listed_from_both_ends_byte_for_byte()
    {
        var required = new[] { Slugid.Ordered(1).Slug, Slugid.Ordered(2).Slug };
        var expires = Times.Now().AddDays(1);
        await Queue.CallAsync("create_task_dependency", Values.Tricky, required[0], "completed", expires);
        await Queue.CallAsync("create_task_dependency", Values.Tricky, required[1], "resolved", expires);

        var requiredRows = await Queue.CallAsync("get_required_tasks", Values.Tricky, 10, null);
        var dependentRows = await Queue.CallAsync("get_dependent_tasks", required[0], 10, null);

        Assert.That(requiredRows.Select(r => r["required_task_id"]), Is.EqualTo(required));
        Assert.That(requiredRows.Select(r => r["requires"]), Is.EqualTo(new[] { "completed", "resolved" }));
        Assert.That(requiredRows.Select(r => r["expires"]), Is.All.EqualTo(expires));
        Assert.That(dependentRows.Select(r => r["dependent_task_id"]), Is.EqualTo(new[] { Values.Tricky }));
        Assert.That(await Queue.CallAsync("get_dependent_tasks", Values.Tricky, 10, null), Is.Empty, "the edge has a direction");
    }

    [Test]
    public async Task Creating_an_existing_dependency_again_replaces_requires_and_expires()
    {
        var (dependent, required) = (Slugid.Random().Slug, Slugid.Random().Slug);
        await Queue.CallAsync("create_task_dependency", dependent, required, "completed", Times.Now().AddDays(1));
        var later = Times.Now().AddDays(5);

        await Queue.CallAsync("create_task_dependency", dependent, required, "resolved", later);

        var row = (await Queue.CallAsync("get_required_tasks", dependent, 10, null)).Single();
        Assert.That(row["requires"], Is.EqualTo("resolved"));
        Assert.That(row["expires"], Is.EqualTo(later));
    }

    [TestCase("failed")]
    [TestCase("Completed")]
    [TestCase(null)]
    public async Task Requires_other_than_completed_or_resolved_is_an_invalid_parameter(string? requires)
    {
        var error = await AssertSqlStateAsync(
            SqlStates.InvalidParameterValue, () => Queue.CallAsync("create_task_dependency", Slugid.Random().Slug, Slugid.Random().Slug, requires, Times.Now().AddDays(1)));

        Assert.That(error.Message, Does.Contain("requires must be completed or resolved"));
        Assert.That(await ScalarAsync<long>("select count(*) from task_dependencies"), Is.Zero);
    }

    [Test]
    public async Task Deleting_removes_one_edge_and_missing_edges_are_harmless()
    {
        var (dependent, kept, removed) = (Slugid.Random().Slug, Slugid.Ordered(1).Slug, Slugid.Ordered(2).Slug);
        await Queue.CallAsync("create_task_dependency", dependent, kept, "completed", Times.Now().AddDays(1));
        await Queue.CallAsync("create_task_dependency", dependent, removed, "completed", Times.Now().AddDays(1));

        await Queue.CallAsync("delete_task_dependency", dependent, removed);
        Assert.DoesNotThrowAsync(() => Queue.CallAsync("delete_task_dependency", dependent, removed));
        Assert.DoesNotThrowAsync(() => Queue.CallAsync("delete_task_dependency", Slugid.Random().Slug, Slugid.Random().Slug));

        var left = await Queue.CallAsync("get_required_tasks", dependent, 10, null);
        Assert.That(left.Select(r => r["required_task_id"]), Is.EqualTo(new[] { kept }));
    }

    [Test]
    public async Task Dependents_and_requirements_page_across_boundaries()
    {
        var hub = Slugid.Random().Slug;
        var others = Enumerable.Range(0, 7).Select(i => Slugid.Ordered(i).Slug).ToList();
        foreach (var other in others.AsEnumerable().Reverse())
        {
            await Queue.CallAsync("create_task_dependency", other, hub, "completed", Times.Now().AddDays(1));
            await Queue.CallAsync("create_task_dependency", hub, other, "resolved", Times.Now().AddDays(1));
        }

        var dependents = await Queue.PaginateByIndexAsync("get_dependent_tasks", new Dictionary<string, object?> { ["required_task_id_in"] = hub }, ["dependent_task_id"], pageSize: 3)
            .Select(r => (string)r["dependent_task_id"]!).ToListAsync();
        var requirements = await Queue.PaginateByIndexAsync("get_required_tasks", new Dictionary<string, object?> { ["dependent_task_id_in"] = hub }, ["required_task_id"], pageSize: 3)
            .Select(r => (string)r["required_task_id"]!).ToListAsync();

        Assert.That(dependents, Is.EqualTo(others));
        Assert.That(requirements, Is.EqualTo(others));
        Assert.That(await Queue.CallAsync("get_dependent_tasks", hub, 3, others[^1]), Is.Empty);
    }

    [Test]
    public async Task Expire_task_dependencies_deletes_only_expired_edges()
    {
        var dependent = Slugid.Random().Slug;
        await Queue.CallAsync("create_task_dependency", dependent, Slugid.Ordered(1).Slug, "completed", Times.Now().AddMinutes(-1));
        await Queue.CallAsync("create_task_dependency", dependent, Slugid.Ordered(2).Slug, "completed", Times.Now().AddDays(1));

        var deleted = (await Queue.CallAsync("expire_task_dependencies", Times.Now())).Single()["expire_task_dependencies"];

        Assert.That(deleted, Is.EqualTo(1));
        Assert.That((await Queue.CallAsync("get_required_tasks", dependent, 10, null)).Select(r => r["required_task_id"]), Is.EqualTo(new[] { Slugid.Ordered(2).Slug }));
        Assert.That((await Queue.CallAsync("expire_task_dependencies", Times.Now())).Single()["expire_task_dependencies"], Is.Zero);
    }

    [Test]
    public async Task Other_services_cannot_write_dependencies_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("auth").CallAsync("create_task_dependency", Slugid.Random().Slug, Slugid.Random().Slug, "completed", Times.Now()));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("worker_manager").CallAsync("expire_task_dependencies", Times.Now()));
        await AssertSqlStateAsync("42501", () => Client("auth").CallAsync("get_dependent_tasks", Slugid.Random().Slug, 10, null));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        var (required, dependent) = (Slugid.Random().Slug, Slugid.Random().Slug);
        var expires = Times.Now().AddDays(2);
        await Queue.CallAsync("create_task_dependency", dependent, required, "completed", expires);

        var entity = (await Queue.CallAsync("queue_task_dependency_entities_load", required, dependent)).Single();
        Assert.That(Json.Same(entity["value"], DependencyEntity(required, dependent, "completed", expires)), Is.True, (string)entity["value"]!);

        var (required2, dependent2) = (Slugid.Random().Slug, Slugid.Random().Slug);
        await Queue.CallAsync("queue_task_dependency_entities_create", required2, dependent2, DependencyEntity(required2, dependent2, "resolved", expires), false, 1);
        var typed = (await Queue.CallAsync("get_dependent_tasks", required2, 10, null)).Single();
        Assert.That(typed["dependent_task_id"], Is.EqualTo(dependent2));
        Assert.That(typed["requires"], Is.EqualTo("resolved"));
        Assert.That(typed["expires"], Is.EqualTo(expires));
    }

    /// <summary>A TaskDependency entity: the ids as uuids (Taskcluster's entity form), the keys as slugids.</summary>
    private static JsonObject DependencyEntity(string required, string dependent, string requires, DateTime expires) => new()
    {
        ["taskId"] = Slugid.ToUuid(required),
        ["dependentTaskId"] = Slugid.ToUuid(dependent),
        ["require"] = requires,
        ["expires"] = Times.JsIso(expires),
    };
}
