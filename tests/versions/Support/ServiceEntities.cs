using System.Text.Json.Nodes;
using Bogus;

namespace Tcdb.Versions.Tests.Support;

/// <summary>An entity as a service writes it: its partition key, row key and properties.</summary>
public sealed record Entity(string PartitionKey, string RowKey, JsonObject Properties)
{
    public string Text => Json.Text(Properties);

    public (string PartitionKey, string RowKey, string Properties) Row => (PartitionKey, RowKey, Text);

    /// <summary>The same entity with <paramref name="change"/> applied to a copy of its properties.</summary>
    public Entity With(Action<JsonObject> change)
    {
        var properties = Properties.DeepClone().AsObject();
        change(properties);
        return this with { Properties = properties };
    }
}

/// <summary>
/// Realistic entities of the hooks, index, notify, github, purge-cache and web-server tables, keyed as those
/// services keyed them; every text that could be mangled carries <see cref="Realistic.Hostile"/> values.
/// </summary>
public static class ServiceEntities
{
    // ----- hooks -----

    public static Entity Hook(Faker f, int index, DateTime now)
    {
        var group = f.PickRandom("project-releng", "taskcluster", "garbage", "project-gecko") + "-" + index % 4;
        var hookId = f.PickRandom("nightly/", "cron/", "in-tree/") + f.Internet.DomainWord() + "-" + index;
        return new Entity(group, hookId, new JsonObject
        {
            ["hookGroupId"] = group,
            ["hookId"] = hookId,
            ["metadata"] = new JsonObject { ["name"] = f.Hacker.Phrase(), ["description"] = Realistic.Hostile(f), ["owner"] = f.Internet.Email(), ["emailOnError"] = f.Random.Bool() },
            ["task"] = new JsonObject
            {
                ["provisionerId"] = "proj-releng",
                ["workerType"] = "decision",
                ["payload"] = new JsonObject { ["command"] = new JsonArray("bash", "-c", @"C:\run.bat ""$1"" ☃") },
                ["metadata"] = new JsonObject { ["name"] = "hook task", ["source"] = "https://tools.taskcluster.net/hooks" },
            },
            ["bindings"] = new JsonArray(new JsonObject { ["exchange"] = "exchange/taskcluster-github/v1/push", ["routingKeyPattern"] = "primary.#" }),
            ["schedule"] = new JsonArray("0 0 " + f.Random.Number(0, 23) + " * * *"),
            ["triggerToken"] = Realistic.EncryptedContainer(f),
            ["nextTaskId"] = Realistic.EncryptedContainer(f),
            ["nextScheduledDate"] = Js.Iso(Realistic.Time(f, now.AddDays(1), 1)),
            ["triggerSchema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["branch"] = new JsonObject { ["pattern"] = @"^\w+$" } } },
        });
    }

    public static Entity HookQueue(Faker f, int index)
    {
        var group = "project-" + f.Internet.DomainWord() + "-" + index % 3;
        var hookId = "on-push/" + f.Internet.DomainWord() + "-" + index;
        return new Entity(group, hookId, new JsonObject
        {
            ["hookGroupId"] = group,
            ["hookId"] = hookId,
            ["queueName"] = $"hooks/{group}/{hookId}",
            ["bindings"] = new JsonArray(new JsonObject { ["exchange"] = "exchange/taskcluster-queue/v1/task-completed", ["routingKeyPattern"] = $"route.index.{f.Lorem.Word()}.#" }),
        });
    }

    public static Entity LastFire(Faker f, string group, string hookId, DateTime now)
    {
        var taskId = Slugid.Next(f).Slug;
        var failed = f.Random.Bool(0.3f);
        return new Entity(group + "~" + hookId, taskId, new JsonObject
        {
            ["hookGroupId"] = group,
            ["hookId"] = hookId,
            ["firedBy"] = f.PickRandom("schedule", "triggerHook", "pulseMessage", "triggerHookWithToken"),
            ["taskId"] = taskId,
            ["taskCreateTime"] = Js.Iso(Realistic.Time(f, now.AddDays(-30), 30)),
            ["result"] = failed ? "error" : "success",
            ["error"] = failed ? "InsufficientScopes: " + Realistic.Hostile(f) : string.Empty,
        });
    }

    // ----- index -----

    public static Entity IndexedTask(Faker f, int index, DateTime now)
    {
        var project = f.PickRandom("mozilla-central", "autoland", "try", "mozilla-release");
        var ns = $"gecko.v2.{project}.{f.PickRandom("latest", "pushdate.2020.07.22", "revision." + f.Random.Hash(40))}.firefox";
        var name = f.PickRandom("linux64-opt", "win64-debug", "macosx64-shippable", "android-api-16") + "-" + index;
        return new Entity(ns, name, new JsonObject
        {
            ["namespace"] = ns,
            ["name"] = name,
            ["rank"] = f.Random.Number(0, 1_600_000_000),
            ["taskId"] = Slugid.Next(f).Slug,
            ["data"] = new JsonObject { ["buildDate"] = Js.Iso(now), ["note"] = Realistic.Hostile(f) },
            ["expires"] = Js.Iso(Realistic.Time(f, now.AddDays(index % 4 == 0 ? -10 : 300), 5)),
        });
    }

    public static Entity IndexNamespace(Faker f, int index, DateTime now)
    {
        var parent = f.PickRandom("gecko.v2", "gecko.v2.mozilla-central", "project.releng", string.Empty);
        var name = f.Internet.DomainWord() + index + (index % 5 == 0 ? "☃" : string.Empty);
        return new Entity(parent, name, new JsonObject
        {
            ["parent"] = parent,
            ["name"] = name,
            ["expires"] = Js.Iso(Realistic.Time(f, now.AddDays(index % 4 == 0 ? -10 : 300), 5)),
        });
    }

    // ----- notify -----

    public static Entity DenylistedAddress(Faker f, int index)
    {
        var type = f.PickRandom("email", "pulse", "matrix-room", "slack-channel");
        var address = type switch
        {
            "email" => index + "." + f.Internet.Email(),
            "pulse" => "route.notify." + f.Lorem.Word() + index,
            "matrix-room" => $"!{f.Random.AlphaNumeric(18)}:mozilla.org",
            _ => "C0" + f.Random.AlphaNumeric(9).ToUpperInvariant(),
        };
        return new Entity(type, address, new JsonObject { ["notificationType"] = type, ["notificationAddress"] = address });
    }

    // ----- github -----

    public static Entity GithubBuild(Faker f, DateTime now)
    {
        var taskGroupId = Slugid.Next(f).Slug;
        var created = Realistic.Time(f, now.AddDays(-20), 20);
        return new Entity(taskGroupId, "taskGroupId", new JsonObject
        {
            ["organization"] = f.PickRandom("mozilla", "taskcluster", "mozilla-mobile"),
            ["repository"] = f.PickRandom("fenix", "taskcluster", "reference-browser", "mozilla-vpn-client"),
            ["sha"] = f.Random.Hash(40),
            ["taskGroupId"] = taskGroupId,
            ["state"] = f.PickRandom("pending", "success", "failure", "error"),
            ["created"] = Js.Iso(created),
            ["updated"] = Js.Iso(created.AddMinutes(f.Random.Number(1, 300))),
            ["installationId"] = f.Random.Number(1_000_000, 9_999_999),
            ["eventType"] = f.PickRandom("push", "pull_request.opened", "pull_request.synchronize", "tag"),
            ["eventId"] = Guid.NewGuid().ToString(),
        });
    }

    public static Entity GithubIntegration(Faker f, int index)
    {
        var owner = f.PickRandom("mozilla", "mozilla-mobile", "taskcluster", "servo") + "-" + f.Internet.DomainWord() + index;
        return new Entity(owner, "owner", new JsonObject { ["owner"] = owner, ["installationId"] = f.Random.Number(1_000_000, 9_999_999) });
    }

    public static Entity GithubCheck(Faker f)
    {
        var (taskGroupId, taskId) = (Slugid.Next(f).Slug, Slugid.Next(f).Slug);
        return new Entity(taskGroupId, taskId, new JsonObject
        {
            ["taskGroupId"] = taskGroupId,
            ["taskId"] = taskId,
            ["checkSuiteId"] = f.Random.Number(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["checkRunId"] = f.Random.Number(100_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    // ----- purge-cache -----

    public static Entity CachePurge(Faker f, int index, DateTime now)
    {
        var (provisionerId, workerType) = Realistic.TaskQueue(f);
        var cacheName = f.PickRandom("level-3-checkouts-v3", "gecko-level-1-tooltool-cache", @"C:\caches\hg-shared ☃", "level-1-sccache") + "-" + index;
        var before = Realistic.Time(f, now.AddDays(-1), 1);
        return new Entity(provisionerId + "~" + workerType, cacheName, new JsonObject
        {
            ["provisionerId"] = provisionerId,
            ["workerType"] = workerType,
            ["cacheName"] = cacheName,
            ["before"] = Js.Iso(before),
            ["expires"] = Js.Iso(before.AddDays(index % 4 == 0 ? -2 : 1)),
        });
    }

    // ----- web-server -----

    public static Entity AccessToken(Faker f, DateTime now)
    {
        var hashed = f.Random.Hash(64);
        return new Entity(hashed, "oauth2-login-access-token", new JsonObject
        {
            ["hashedAccessToken"] = hashed,
            ["accessToken"] = Realistic.EncryptedContainer(f),
            ["clientId"] = "mozilla-auth0/ad|Mozilla-LDAP|" + f.Internet.UserName(),
            ["redirectUri"] = "https://firefox-ci-tc.services.mozilla.com/login/callback?state=\"x\"",
            ["identity"] = "mozilla-auth0/ad|Mozilla-LDAP|" + f.Internet.UserName(),
            ["identityProviderId"] = f.PickRandom("mozilla-auth0", "github"),
            ["expires"] = Js.Iso(Realistic.Time(f, now.AddDays(f.Random.Bool(0.3f) ? -3 : 3), 2)),
            ["clientDetails"] = new JsonObject { ["clientId"] = "release-tools/" + f.Internet.DomainWord(), ["description"] = Realistic.Hostile(f), ["scopes"] = new JsonArray("queue:create-task:*"), ["expires"] = Js.Iso(now.AddDays(30)), ["deleteOnExpiration"] = true },
        });
    }

    public static Entity AuthorizationCode(Faker f, DateTime now)
    {
        var code = f.Random.AlphaNumeric(32);
        return new Entity(code, "oauth2-login-code", new JsonObject
        {
            ["code"] = code,
            ["clientId"] = "release-tools/" + f.Internet.DomainWord(),
            ["redirectUri"] = "https://tools.example.com/callback",
            ["identity"] = "github/" + f.Random.Number(1000, 99999) + "|" + f.Internet.UserName(),
            ["identityProviderId"] = "github",
            ["expires"] = Js.Iso(Realistic.Time(f, now.AddMinutes(f.Random.Bool(0.3f) ? -30 : 30), 0)),
            ["clientDetails"] = new JsonObject { ["clientId"] = "release-tools", ["description"] = Realistic.Hostile(f), ["scopes"] = new JsonArray("hooks:trigger-hook:*"), ["expires"] = Js.Iso(now.AddDays(7)), ["deleteOnExpiration"] = false },
        });
    }

    public static Entity GithubAccessToken(Faker f)
    {
        var userId = f.Random.Number(1000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Entity(userId, "github-access-token", new JsonObject { ["userId"] = userId, ["accessToken"] = Realistic.EncryptedContainer(f) });
    }

    public static Entity Session(Faker f, DateTime now)
    {
        var hashed = f.Random.Hash(64);
        return new Entity(hashed, "session", new JsonObject
        {
            ["hashedSessionId"] = hashed,
            ["sessionId"] = Realistic.EncryptedContainer(f),
            ["data"] = new JsonObject { ["cookie"] = new JsonObject { ["path"] = "/", ["httpOnly"] = true, ["sameSite"] = "lax" }, ["passport"] = new JsonObject { ["user"] = Realistic.Hostile(f) } },
            ["expires"] = Js.Iso(Realistic.Time(f, now.AddDays(f.Random.Bool(0.3f) ? -2 : 2), 1)),
        });
    }
}
