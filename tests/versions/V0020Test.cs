using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 20: the entities tables (phase 1) of hooks, index, notify's denylist, github, purge-cache and
/// web-server. Checks they appear for their own service's role only at version 20 and that each table's five
/// methods keep their contract with a realistic entity of that service.
/// </summary>
public sealed class V0020Test : VersionTest
{
    private static readonly (string Service, string Table)[] Tables =
    [
        ("hooks", "hooks_entities"), ("hooks", "queues_entities"), ("hooks", "last_fire_3_entities"),
        ("index", "indexed_tasks_entities"), ("index", "namespaces_entities"),
        ("notify", "denylisted_notification_entities"),
        ("github", "taskcluster_github_builds_entities"), ("github", "taskcluster_integration_owners_entities"), ("github", "taskcluster_check_runs_entities"),
        ("purge_cache", "cache_purges_entities"),
        ("web_server", "access_token_table_entities"), ("web_server", "authorization_codes_table_entities"),
        ("web_server", "github_access_token_table_entities"), ("web_server", "session_storage_table_entities"),
    ];

    protected override Task AssertBeforeUpgradeAsync(VersionContext db) => EntityTables.AssertAbsentAsync(db, [.. Tables.Select(t => t.Table)]);

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        foreach (var (service, table) in Tables)
        {
            await EntityTables.AssertPresentAsync(db, service, table);
        }

        Assert.That(
            await db.ValueAsync<bool>("select has_table_privilege($1, 'public.hooks_entities', 'select')", db.RolePrefix.RoleFor("index")),
            Is.False,
            "index may not read the hooks' entities");

        var f = Realistic.Faker(20);
        var now = Times.Now();
        var hook = ServiceEntities.Hook(f, 1, now);
        var queue = ServiceEntities.HookQueue(f, 1);
        var entities = new (string Service, string Table, Entity Entity, Entity Modified)[]
        {
            ("hooks", "hooks_entities", hook, hook.With(p => p["schedule"] = new System.Text.Json.Nodes.JsonArray())),
            ("hooks", "queues_entities", queue, queue.With(p => p["bindings"] = new System.Text.Json.Nodes.JsonArray())),
            Changed("hooks", "last_fire_3_entities", ServiceEntities.LastFire(f, hook.PartitionKey, hook.RowKey, now), "result", "error"),
            Changed("index", "indexed_tasks_entities", ServiceEntities.IndexedTask(f, 1, now), "rank", 7),
            Changed("index", "namespaces_entities", ServiceEntities.IndexNamespace(f, 5, now), "expires", Times.JsIso(now.AddDays(400))),
            Changed("notify", "denylisted_notification_entities", ServiceEntities.DenylistedAddress(f, 1), "notificationType", "email"),
            Changed("github", "taskcluster_github_builds_entities", ServiceEntities.GithubBuild(f, now), "state", "success"),
            Changed("github", "taskcluster_integration_owners_entities", ServiceEntities.GithubIntegration(f, 1), "installationId", 42),
            Changed("github", "taskcluster_check_runs_entities", ServiceEntities.GithubCheck(f), "checkRunId", "123456789"),
            Changed("purge_cache", "cache_purges_entities", ServiceEntities.CachePurge(f, 1, now), "before", Times.JsIso(now)),
            Changed("web_server", "access_token_table_entities", ServiceEntities.AccessToken(f, now), "expires", Times.JsIso(now.AddDays(9))),
            Changed("web_server", "authorization_codes_table_entities", ServiceEntities.AuthorizationCode(f, now), "identity", "github/1|☃"),
            Changed("web_server", "github_access_token_table_entities", ServiceEntities.GithubAccessToken(f), "accessToken", Realistic.EncryptedContainer(f)),
            Changed("web_server", "session_storage_table_entities", ServiceEntities.Session(f, now), "expires", Times.JsIso(now.AddDays(1))),
        };
        Assert.That(entities.Select(e => e.Table), Is.EquivalentTo(Tables.Select(t => t.Table)), "one entity per table");
        foreach (var (service, table, entity, modified) in entities)
        {
            await EntityTables.VerifyAsync(db, service, table, entity.PartitionKey, entity.RowKey, entity.Text, modified.Text);
        }
    }

    private static (string, string, Entity, Entity) Changed(string service, string table, Entity entity, string property, System.Text.Json.Nodes.JsonNode value) =>
        (service, table, entity, entity.With(p => p[property] = value));
}
