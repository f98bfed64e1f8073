using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The queue's artifacts (v16): the relational table, its methods and its entities shim.</summary>
[TestFixture]
public sealed class QueueArtifactsTests : FunctionTest
{
    private const string ArtifactName = "public/logs/" + Values.Tricky;

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("queue", "queue_artifacts_entities_load", "queue_artifacts_entities_create", "queue_artifacts_entities_modify", "queue_artifacts_entities_remove", "queue_artifacts_entities_scan"),
            i => $"{Slugid.Ordered(i).Slug}~{i % 3}",
            ArtifactName,
            key => ArtifactEntity(key, ArtifactName, Times.Now().AddDays(1)),
            "details"),
    ];

    private readonly Faker faker = new();

    private FunctionClient Queue => Client("queue");

    [Test]
    public async Task Create_returns_the_artifact_and_get_reads_it_back_byte_for_byte()
    {
        var taskId = Slugid.Random().Slug;
        var expires = Times.Now().AddDays(7);

        var created = (await Queue.CallAsync("create_queue_artifact", taskId, 2, ArtifactName, "s3", "text/plain; charset=" + Values.Tricky, Values.TrickyJson(), false, expires)).Single();
        var row = (await Queue.CallAsync("get_queue_artifact", taskId, 2, ArtifactName)).Single();

        Assert.That(row, Is.EqualTo(created));
        Assert.That(row["task_id"], Is.EqualTo(taskId));
        Assert.That(row["run_id"], Is.EqualTo(2));
        Assert.That(row["name"], Is.EqualTo(ArtifactName));
        Assert.That(row["storage_type"], Is.EqualTo("s3"));
        Assert.That(row["content_type"], Is.EqualTo("text/plain; charset=" + Values.Tricky));
        Assert.That(Json.Same(row["details"], Values.TrickyJson()), Is.True, (string)row["details"]!);
        Assert.That(row["present"], Is.False);
        Assert.That(row["expires"], Is.EqualTo(expires));
        Assert.That(row["etag"], Is.TypeOf<Guid>());
    }

    [Test]
    public async Task A_second_artifact_of_the_same_name_and_run_is_a_unique_violation()
    {
        var taskId = Slugid.Random().Slug;
        await CreateAsync(taskId, 0, "a", Times.Now().AddDays(1));

        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateAsync(taskId, 0, "a", Times.Now().AddDays(1)));
        Assert.DoesNotThrowAsync(() => CreateAsync(taskId, 1, "a", Times.Now().AddDays(1)), "another run may use the name");
        Assert.DoesNotThrowAsync(() => CreateAsync(Slugid.Random().Slug, 0, "a", Times.Now().AddDays(1)), "another task may use the name");
    }

    [Test]
    public async Task Missing_artifacts_give_no_row_and_deleting_them_is_harmless()
    {
        var taskId = Slugid.Random().Slug;
        await CreateAsync(taskId, 0, "kept", Times.Now().AddDays(1));

        Assert.That(await Queue.CallAsync("get_queue_artifact", taskId, 1, "kept"), Is.Empty);
        Assert.That(await Queue.CallAsync("update_queue_artifact", taskId, 0, "missing", new JsonObject(), true, Times.Now()), Is.Empty);
        Assert.DoesNotThrowAsync(() => Queue.CallAsync("delete_queue_artifact", taskId, 0, "missing"));

        await Queue.CallAsync("delete_queue_artifact", taskId, 0, "kept");
        Assert.That(await Queue.CallAsync("get_queue_artifact", taskId, 0, "kept"), Is.Empty);
    }

    [Test]
    public async Task Update_sets_details_presence_and_expiry_and_a_new_etag()
    {
        var taskId = Slugid.Random().Slug;
        var before = await CreateAsync(taskId, 0, ArtifactName, Times.Now().AddDays(1));
        var later = Times.Now().AddDays(30);
        var details = new JsonObject { ["url"] = faker.Internet.UrlWithPath(), ["note"] = Values.Tricky };

        var updated = (await Queue.CallAsync("update_queue_artifact", taskId, 0, ArtifactName, details, true, later)).Single();

        Assert.That(Json.Same(updated["details"], details), Is.True, (string)updated["details"]!);
        Assert.That(updated["present"], Is.True);
        Assert.That(updated["expires"], Is.EqualTo(later));
        Assert.That(updated["storage_type"], Is.EqualTo(before["storage_type"]));
        Assert.That(updated["etag"], Is.Not.EqualTo(before["etag"]));
        Assert.That(await Queue.CallAsync("get_queue_artifact", taskId, 0, ArtifactName), Is.EqualTo(new[] { updated }));
    }

    [Test]
    public async Task Artifacts_of_a_task_page_across_boundaries_in_run_then_name_order()
    {
        var taskId = Slugid.Random().Slug;
        var names = Enumerable.Range(0, 3).Select(i => $"public/{i:D2}-{faker.System.FileName()}").ToList();
        var expected = new List<(int, string)>();
        foreach (var run in new[] { 2, 0, 1 })
        {
            foreach (var name in names)
            {
                await CreateAsync(taskId, run, name, Times.Now().AddDays(1));
            }
        }

        await CreateAsync(Slugid.Random().Slug, 0, names[0], Times.Now().AddDays(1));
        for (var run = 0; run < 3; run++)
        {
            expected.AddRange(names.Select(n => (run, n)));
        }

        var all = await Queue.PaginateByIndexAsync("get_queue_artifacts", new Dictionary<string, object?> { ["task_id_in"] = taskId, ["run_id_in"] = null }, ["run_id", "name"], pageSize: 2)
            .Select(r => ((int)r["run_id"]!, (string)r["name"]!)).ToListAsync();
        var ofRun1 = await Queue.PaginateByIndexAsync("get_queue_artifacts", new Dictionary<string, object?> { ["task_id_in"] = taskId, ["run_id_in"] = 1 }, ["run_id", "name"], pageSize: 2)
            .Select(r => (string)r["name"]!).ToListAsync();

        Assert.That(all, Is.EqualTo(expected));
        Assert.That(ofRun1, Is.EqualTo(names));
        Assert.That(await Queue.CallAsync("get_queue_artifacts", Slugid.Random().Slug, null, 10, null, null), Is.Empty);
    }

    [Test]
    public async Task Expired_artifacts_are_listed_page_by_page_until_deleted()
    {
        var expiredTasks = Enumerable.Range(0, 3).Select(i => Slugid.Ordered(i).Slug).ToList();
        foreach (var taskId in expiredTasks)
        {
            await CreateAsync(taskId, 0, "a", Times.Now().AddMinutes(-5));
            await CreateAsync(taskId, 1, "b", Times.Now().AddMinutes(-5));
        }

        await CreateAsync(Slugid.Ordered(4).Slug, 0, "fresh", Times.Now().AddDays(1));

        var expired = await Queue.PaginateByIndexAsync("get_expired_queue_artifacts", new Dictionary<string, object?> { ["expires_in"] = Times.Now() }, ["task_id", "run_id", "name"], pageSize: 4)
            .ToListAsync();
        Assert.That(expired.Select(r => (r["task_id"], r["run_id"])), Is.EqualTo(expiredTasks.SelectMany(t => new[] { ((object?)t, (object?)0), (t, 1) })));

        foreach (var row in expired)
        {
            await Queue.CallAsync("delete_queue_artifact", row["task_id"], row["run_id"], row["name"]);
        }

        Assert.That(await Queue.CallAsync("get_expired_queue_artifacts", Times.Now(), 10, null, null, null), Is.Empty);
        Assert.That(await Queue.CallAsync("get_queue_artifact", Slugid.Ordered(4).Slug, 0, "fresh"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Other_services_cannot_write_artifacts_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("auth").CallAsync("delete_queue_artifact", Slugid.Random().Slug, 0, "a"));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("secrets").CallAsync("queue_artifacts_entities_create", "t~0", "a", new JsonObject(), false, 1));
        await AssertSqlStateAsync("42501", () => Client("auth").CallAsync("get_queue_artifact", Slugid.Random().Slug, 0, "a"));
    }

    [TestCase("task")]
    [TestCase("task~")]
    [TestCase("task~01")]
    [TestCase("task~-1")]
    [TestCase("task~1~2")]
    [TestCase("task~one")]
    [TestCase("task~1234567890")]
    public async Task Entity_keys_that_are_not_task_tilde_run_are_refused(string partitionKey)
    {
        var error = await AssertSqlStateAsync(
            SqlStates.InvalidParameterValue, () => Queue.CallAsync("queue_artifacts_entities_create", partitionKey, "a", ArtifactEntity(Slugid.Random().Slug + "~0", "a", Times.Now()), false, 1));

        Assert.That(error.Message, Does.Contain("must be `<taskId>~<runId>` and the artifact name"));
        Assert.That(await ScalarAsync<long>("select count(*) from queue_artifacts"), Is.Zero);
    }

    [Test]
    public async Task Entity_keys_that_only_look_like_an_artifact_find_nothing()
    {
        var taskId = Slugid.Random().Slug;
        await CreateAsync(taskId, 1, "a", Times.Now().AddDays(1));

        foreach (var key in new[] { taskId + "~01", taskId + "~1~", taskId, taskId + "~1 " })
        {
            Assert.That(await Queue.CallAsync("queue_artifacts_entities_load", key, "a"), Is.Empty, key);
            Assert.That(await Queue.CallAsync("queue_artifacts_entities_scan", key, null, null, null, null), Is.Empty, key);
            Assert.That(await Queue.CallAsync("queue_artifacts_entities_remove", key, "a"), Is.Empty, key);
        }

        Assert.That(await Queue.CallAsync("queue_artifacts_entities_load", taskId + "~1", "a"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Entity_rows_and_typed_rows_are_the_same_rows()
    {
        var taskId = Slugid.Random().Slug;
        var expires = Times.Now().AddDays(2);
        var created = await CreateAsync(taskId, 3, ArtifactName, expires);

        var entity = (await Queue.CallAsync("queue_artifacts_entities_load", taskId + "~3", ArtifactName)).Single();
        Assert.That(entity["etag"], Is.EqualTo(created["etag"]));
        Assert.That(Json.Same(entity["value"], ArtifactEntity(taskId + "~3", ArtifactName, expires)), Is.True, (string)entity["value"]!);

        var other = Slugid.Random().Slug;
        var etag = (await Queue.CallAsync("queue_artifacts_entities_create", other + "~0", "b", ArtifactEntity(other + "~0", "b", expires), false, 1)).Single()["queue_artifacts_entities_create"];
        var typed = (await Queue.CallAsync("get_queue_artifact", other, 0, "b")).Single();
        Assert.That(typed["etag"], Is.EqualTo(etag));
        Assert.That(Json.Same(typed["details"], Values.TrickyJson()), Is.True);
        Assert.That(typed["expires"], Is.EqualTo(expires));
    }

    private async Task<IReadOnlyDictionary<string, object?>> CreateAsync(string taskId, int runId, string name, DateTime expires) =>
        (await Queue.CallAsync("create_queue_artifact", taskId, runId, name, "s3", "application/json", Values.TrickyJson(), true, expires)).Single();

    /// <summary>An Artifact entity of partition key <c>&lt;taskId&gt;~&lt;runId&gt;</c>, the task id as a uuid.</summary>
    private static JsonObject ArtifactEntity(string partitionKey, string name, DateTime expires)
    {
        var parts = partitionKey.Split('~');
        return new JsonObject
        {
            ["taskId"] = Slugid.ToUuid(parts[0]),
            ["runId"] = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            ["name"] = name,
            ["storageType"] = "s3",
            ["contentType"] = "application/json",
            ["details"] = Values.TrickyJson(),
            ["present"] = true,
            ["expires"] = Times.JsIso(expires),
        };
    }
}
