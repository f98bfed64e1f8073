using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The github service (v24): builds, App installations and check runs, and their entities shims.</summary>
[TestFixture]
public sealed class GithubTests : FunctionTest
{
    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("github", "taskcluster_github_builds_entities_load", "taskcluster_github_builds_entities_create", "taskcluster_github_builds_entities_modify", "taskcluster_github_builds_entities_remove", "taskcluster_github_builds_entities_scan"),
            i => Slugid.Ordered(i).Slug,
            "taskGroupId",
            key => new JsonObject
            {
                ["organization"] = "mozilla", ["repository"] = Values.Tricky, ["sha"] = new string('a', 40), ["taskGroupId"] = key, ["state"] = "pending",
                ["created"] = Times.JsIso(Times.Now()), ["updated"] = Times.JsIso(Times.Now().AddMinutes(1)), ["installationId"] = 1234567,
                ["eventType"] = "pull_request.opened", ["eventId"] = "4e4c3a5f-3b0e-4d35-9a9e-000000000001",
            },
            "repository"),
        new(
            new("github", "taskcluster_integration_owners_entities_load", "taskcluster_integration_owners_entities_create", "taskcluster_integration_owners_entities_modify", "taskcluster_integration_owners_entities_remove", "taskcluster_integration_owners_entities_scan"),
            i => $"{i:D3}-{Values.Tricky}",
            "owner",
            key => new JsonObject { ["owner"] = key, ["installationId"] = 7654321 },
            "owner"),
        new(
            new("github", "taskcluster_check_runs_entities_load", "taskcluster_check_runs_entities_create", "taskcluster_check_runs_entities_modify", "taskcluster_check_runs_entities_remove", "taskcluster_check_runs_entities_scan"),
            i => Slugid.Ordered(i).Slug,
            "fEfKHDnlS3SN8BTGTfEyAA",
            key => new JsonObject { ["taskGroupId"] = key, ["taskId"] = "fEfKHDnlS3SN8BTGTfEyAA", ["checkSuiteId"] = "123", ["checkRunId"] = Values.Tricky },
            "checkRunId"),
    ];

    private FunctionClient Github => Client("github");

    [Test]
    public async Task Create_then_get_build_round_trips_every_column()
    {
        var created = Times.Now().AddMinutes(-5);
        var taskGroupId = Slugid.Random().Slug;

        await CreateBuildAsync(taskGroupId, created, sha: new string('f', 40));
        var row = (await Github.CallAsync("get_github_build", taskGroupId)).Single();

        Assert.That(
            new[] { row["organization"], row["repository"], row["sha"], row["task_group_id"], row["state"], row["created"], row["updated"], row["installation_id"], row["event_type"], row["event_id"] },
            Is.EqualTo(new object[] { "mozilla", Values.Tricky, new string('f', 40), taskGroupId, "pending", created, created, 1234567, "push", Values.Tricky }));
        Assert.That(await Github.CallAsync("get_github_build", Slugid.Random().Slug), Is.Empty);
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateBuildAsync(taskGroupId, created));
    }

    [Test]
    public async Task Set_github_build_state_updates_state_and_time_and_fails_for_a_missing_build()
    {
        var taskGroupId = Slugid.Random().Slug;
        var created = Times.Now().AddHours(-1);
        await CreateBuildAsync(taskGroupId, created);

        await Github.CallAsync("set_github_build_state", taskGroupId, "success");

        var row = (await Github.CallAsync("get_github_build", taskGroupId)).Single();
        Assert.That(row["state"], Is.EqualTo("success"));
        Assert.That((DateTime)row["updated"]!, Is.GreaterThan(created));
        await AssertSqlStateAsync("P0002", () => Github.CallAsync("set_github_build_state", Slugid.Random().Slug, "error"));
    }

    [Test]
    public async Task Get_github_builds_pages_in_creation_order_with_filters()
    {
        var start = Times.Now().AddHours(-3);
        var builds = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            // Pairs share a creation time: the task group id breaks the tie across page boundaries.
            builds.Add(Slugid.Ordered(i).Slug);
            await CreateBuildAsync(builds[^1], start.AddMinutes(i / 2), sha: i % 2 == 0 ? "even" : "odd");
        }

        async Task<List<string>> PagesAsync(string? sha) =>
            await Github.PaginateByIndexAsync("get_github_builds", new Dictionary<string, object?> { ["organization_in"] = "mozilla", ["repository_in"] = Values.Tricky, ["sha_in"] = sha }, ["created", "task_group_id"], pageSize: 2)
                .Select(r => (string)r["task_group_id"]!).ToListAsync();

        Assert.That(await PagesAsync(null), Is.EqualTo(builds));
        Assert.That(await PagesAsync("even"), Is.EqualTo(builds.Where((_, i) => i % 2 == 0)));
        Assert.That(await Github.CallAsync("get_github_builds", 10, "other-org", null, null, null, null), Is.Empty);
    }

    [Test]
    public async Task Delete_github_build_removes_it_and_a_missing_build_is_harmless()
    {
        var taskGroupId = Slugid.Random().Slug;
        await CreateBuildAsync(taskGroupId, Times.Now());

        await Github.CallAsync("delete_github_build", taskGroupId);
        Assert.DoesNotThrowAsync(() => Github.CallAsync("delete_github_build", taskGroupId));
        Assert.That(await Github.CallAsync("get_github_build", taskGroupId), Is.Empty);
    }

    [Test]
    public async Task Upsert_github_integration_replaces_the_installation_and_pages_by_owner()
    {
        const string Owner = "zz-" + Values.Tricky;
        await Github.CallAsync("upsert_github_integration", Owner, 1);
        await Github.CallAsync("upsert_github_integration", Owner, 2);
        foreach (var owner in new[] { "a-org", "b-org", "c-org" })
        {
            await Github.CallAsync("upsert_github_integration", owner, 3);
        }

        Assert.That((await Github.CallAsync("get_github_integration", Owner)).Single()["installation_id"], Is.EqualTo(2));
        Assert.That(await Github.CallAsync("get_github_integration", "not-installed"), Is.Empty);
        var owners = await Github.PaginateByIndexAsync("get_github_integrations", new Dictionary<string, object?>(), ["owner"], pageSize: 2)
            .Select(r => (string)r["owner"]!).ToListAsync();
        Assert.That(owners, Is.EqualTo(new[] { "a-org", "b-org", "c-org", Owner }));
    }

    [Test]
    public async Task A_check_run_is_found_by_its_task_and_by_its_run()
    {
        var (group, task) = (Slugid.Random().Slug, Slugid.Random().Slug);
        await Github.CallAsync("create_github_check", group, task, "98765", Values.Tricky);
        await Github.CallAsync("create_github_check", group, Slugid.Random().Slug, "98765", "other-run");

        var byTask = (await Github.CallAsync("get_github_check_by_task_id", task)).Single();
        Assert.That((byTask["task_group_id"], byTask["check_suite_id"], byTask["check_run_id"]), Is.EqualTo((group, "98765", Values.Tricky)));
        var byRun = (await Github.CallAsync("get_github_check_by_run_id", "98765", Values.Tricky)).Single();
        Assert.That(byRun["task_id"], Is.EqualTo(task));
        Assert.That(await Github.CallAsync("get_github_check_by_task_id", Slugid.Random().Slug), Is.Empty);
        Assert.That(await Github.CallAsync("get_github_check_by_run_id", "98765", "missing"), Is.Empty);
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => Github.CallAsync("create_github_check", group, task, "1", "2"));
    }

    [Test]
    public async Task The_constant_row_keys_of_the_entity_shims_are_enforced()
    {
        var taskGroupId = Slugid.Random().Slug;
        await CreateBuildAsync(taskGroupId, Times.Now());

        Assert.That(await Github.CallAsync("taskcluster_github_builds_entities_load", taskGroupId, "taskGroupId"), Has.Count.EqualTo(1));
        Assert.That(await Github.CallAsync("taskcluster_github_builds_entities_load", taskGroupId, "other"), Is.Empty);
        await AssertSqlStateAsync(SqlStates.InvalidParameterValue, () => Github.CallAsync("taskcluster_integration_owners_entities_create", "o", "not-owner", new JsonObject { ["owner"] = "o", ["installationId"] = 1 }, false, 1));
    }

    [Test]
    public async Task Other_services_cannot_write_github_rows_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("upsert_github_integration", "o", 1));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("get_github_build", "x"));
        await AssertSqlStateAsync("42501", () => Client("web_server").CallAsync("get_github_integration", "o"));
    }

    private Task CreateBuildAsync(string taskGroupId, DateTime created, string sha = "0123456789abcdef0123456789abcdef01234567") =>
        Github.CallAsync("create_github_build", "mozilla", Values.Tricky, sha, taskGroupId, "pending", created, created, 1234567, "push", Values.Tricky);
}
