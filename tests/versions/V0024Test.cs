using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 24: the github service's builds, App installations and check runs move from entities to the
/// relational <c>github_builds</c>, <c>github_integrations</c> and <c>github_checks</c> tables (phase 2; the
/// constant row keys disappear). Seeds realistic builds of push and pull-request events, installations and check
/// runs through the entity methods at version 23, checks every column and the typed getters after the upgrade,
/// and that the entity views and the downgrade rebuild the same entities.
/// </summary>
public sealed class V0024Test : VersionTest
{
    private static readonly string[] Tables = ["taskcluster_github_builds_entities", "taskcluster_integration_owners_entities", "taskcluster_check_runs_entities"];
    private readonly DateTime now = Times.Now();
    private readonly Dictionary<string, List<SeededEntity>> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) => PhaseTwo.SeedNoGenericRows(rules, Tables);

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(24);
        seeded[Tables[0]] = await PhaseTwo.CreateAsync(db, "github", Tables[0], Enumerable.Range(0, 20).Select(_ => ServiceEntities.GithubBuild(f, now).Row));
        seeded[Tables[1]] = await PhaseTwo.CreateAsync(db, "github", Tables[1], Enumerable.Range(0, 10).Select(i => ServiceEntities.GithubIntegration(f, i).Row));
        seeded[Tables[2]] = await PhaseTwo.CreateAsync(db, "github", Tables[2], Enumerable.Range(0, 20).Select(_ => ServiceEntities.GithubCheck(f).Row));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("github_builds"), Is.False, "no github_builds at version 23");
        await PhaseTwo.AssertLoadAsync(db, "github", seeded, "at version 23");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await PhaseTwo.AssertDroppedAsync(db, Tables);

        await PhaseTwo.AssertRowsAsync(
            db, "github_builds", seeded[Tables[0]], ("organization", "organization"), ("repository", "repository"), ("sha", "sha"), ("task_group_id", "taskGroupId"), ("state", "state"),
            ("created", "created"), ("updated", "updated"), ("installation_id", "installationId"), ("event_type", "eventType"), ("event_id", "eventId"));
        await PhaseTwo.AssertRowsAsync(db, "github_integrations", seeded[Tables[1]], ("owner", "owner"), ("installation_id", "installationId"));
        await PhaseTwo.AssertRowsAsync(db, "github_checks", seeded[Tables[2]], ("task_group_id", "taskGroupId"), ("task_id", "taskId"), ("check_suite_id", "checkSuiteId"), ("check_run_id", "checkRunId"));

        await using var github = await db.ClientAsync("github");
        var paged = await github.PaginateByIndexAsync("get_github_builds", new Dictionary<string, object?> { ["organization_in"] = null, ["repository_in"] = null, ["sha_in"] = null }, ["created", "task_group_id"], pageSize: 3)
            .Select(r => (string)r["task_group_id"]!).ToListAsync();
        Assert.That(paged, Is.EquivalentTo(seeded[Tables[0]].Select(b => b.PartitionKey)).And.Unique, "get_github_builds pages over every build once");

        foreach (var integration in seeded[Tables[1]].Where((_, i) => i % 3 == 0))
        {
            var row = (await github.CallAsync("get_github_integration", integration.PartitionKey)).Single();
            Assert.That(row["installation_id"], Is.EqualTo(Json.Parse(integration.Properties)!["installationId"]!.GetValue<int>()), $"installation of {integration.PartitionKey}");
        }

        foreach (var check in seeded[Tables[2]].Where((_, i) => i % 4 == 0))
        {
            var byTask = (await github.CallAsync("get_github_check_by_task_id", check.RowKey)).Single();
            var byRun = (await github.CallAsync("get_github_check_by_run_id", byTask["check_suite_id"], byTask["check_run_id"])).Single();
            Assert.That((byRun["task_group_id"], byRun["task_id"]), Is.EqualTo((check.PartitionKey, check.RowKey)), $"check run of task {check.RowKey}");
        }

        await PhaseTwo.AssertLoadAsync(db, "github", seeded, "at version 24");
    }
}
