using System.Text.Json.Nodes;
using Bogus;

namespace Tcdb.Versions.Tests.Support;

/// <summary>
/// Bogus generators for rows that resemble production Taskcluster data: slugid task ids, provisioner /
/// worker-type pairs, scopes, routes, payloads with Windows paths, quotes and unicode, encrypted
/// containers, worker pool configs. Every text that could be mangled in transit carries backslashes,
/// quotes, dollar-quotes and non-ASCII characters.
/// </summary>
public static class Realistic
{
    /// <summary>A faker whose values depend only on <paramref name="seed"/>.</summary>
    public static Faker Faker(int seed) => new("en") { Random = new Randomizer(seed) };

    /// <summary>A text a service might store that breaks naive escaping.</summary>
    public static string Hostile(Faker f) => f.PickRandom(
        @"C:\Users\task_" + f.Random.Number(100, 999) + @"\AppData\Local\Temp",
        "it's \"quoted\" and $$dollar-quoted$$",
        "naïve café ☃ 日本語 🦀 " + f.Lorem.Word(),
        @"regex \d+\.\d+ and a literal \n",
        "tab\tand newline\nin one line");

    public static (string ProvisionerId, string WorkerType) TaskQueue(Faker f) =>
        (f.PickRandom("proj-releng", "gecko-3", "aws-provisioner-v1", "proj-taskcluster", "scriptworker-k8s"),
         f.PickRandom("b-linux", "b-win2012", "t-osx-1015", "gecko-t-linux-xlarge", "ci", "decision") + "-" + f.Random.Number(1, 9));

    /// <summary>An encrypted container as the services store them (key id, format version, base64 ciphertext buffer).</summary>
    public static JsonObject EncryptedContainer(Faker f) => new()
    {
        ["kid"] = "azure-" + f.Random.Number(2018, 2021),
        ["v"] = 1,
        ["__bufchunks_val"] = 1,
        ["__buf0_val"] = Convert.ToBase64String(f.Random.Bytes(f.Random.Number(32, 96))),
    };

    public static DateTime Time(Faker f, DateTime around, int maxDaysAway) =>
        Times.Millis(around.AddSeconds(f.Random.Double(-maxDaysAway, maxDaysAway) * 86400));

    // ----- tasks -----

    public static TaskSeed Task(Faker f, Slugid group, (string ProvisionerId, string WorkerType) queue, DateTime now)
    {
        var taskId = Slugid.Next(f);
        var created = Times.Millis(now.AddMinutes(-f.Random.Number(1, 600)));
        var user = f.Internet.Email();
        var project = f.PickRandom("mozilla-central", "autoland", "try", "taskcluster", "fxapom");
        var payload = new JsonObject
        {
            ["image"] = "taskcluster/ci-image:" + f.System.Semver(),
            ["command"] = new JsonArray("/bin/bash", "-c", $"cd C:\\tasks\\{taskId.Slug} && echo \"done ☃\" $$ && grep '\\d+' log"),
            ["env"] = new JsonObject
            {
                ["MOZ_BUILD_DATE"] = created.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture),
                ["WIN_PATH"] = @"C:\Windows\System32;C:\mozilla-build\bin",
                ["GREETING"] = Hostile(f),
                ["GECKO_HEAD_REV"] = f.Random.Hash(40),
            },
            ["maxRunTime"] = f.PickRandom(600, 1800, 3600, 7200),
            ["artifacts"] = new JsonObject
            {
                ["public/build"] = new JsonObject { ["type"] = "directory", ["path"] = "/builds/worker/artifacts/", ["expires"] = Times.JsIso(created.AddDays(28)) },
            },
        };
        return new TaskSeed(
            taskId,
            group,
            queue.ProvisionerId,
            queue.WorkerType,
            f.PickRandom("gecko-level-3", "taskcluster-github", "tc-diagnostics", "-"),
            [],
            f.PickRandom("all-completed", "all-resolved"),
            [$"index.gecko.v2.{project}.latest.firefox.{f.Lorem.Word()}", $"tc-treeherder.v2.{project}.{f.Random.Hash(40)}"],
            f.PickRandom("highest", "very-high", "high", "medium", "low", "very-low", "lowest", "normal"),
            5,
            5,
            created,
            Times.Millis(created.AddDays(1)),
            Times.Millis(created.AddDays(f.Random.Number(28, 365))),
            [$"queue:create-task:highest:{queue.ProvisionerId}/{queue.WorkerType}", $"secrets:get:project/releng/{project}/level-3/*", @"generic-worker:os-group:\weird\group"],
            Json.Text(payload),
            Json.Text(new JsonObject
            {
                ["name"] = f.Hacker.IngVerb() + " " + f.Hacker.Noun() + " " + f.Random.Number(1, 99),
                ["description"] = f.Lorem.Sentence() + " " + Hostile(f),
                ["owner"] = user,
                ["source"] = $"https://hg.mozilla.org/{project}/file/{f.Random.Hash(12)}/taskcluster/ci",
            }),
            Json.Text(new JsonObject { ["kind"] = f.PickRandom("build", "test", "lint", "decision"), ["createdForUser"] = user, ["label"] = Hostile(f) }),
            Json.Text(new JsonObject
            {
                ["treeherder"] = new JsonObject { ["symbol"] = f.Random.String2(1, 3, "ABCDEFGHXYZ"), ["machine"] = new JsonObject { ["platform"] = f.PickRandom("linux64", "windows10-64", "macosx1015-64") } },
                ["parent"] = group.Slug,
                ["notes"] = Hostile(f),
            }),
            "[]",
            null);
    }

    /// <summary>A pending run 0, scheduled at <paramref name="scheduled"/>.</summary>
    public static JsonObject PendingRun(int runId, DateTime scheduled, string reasonCreated = "scheduled") => new()
    {
        ["runId"] = runId,
        ["state"] = "pending",
        ["reasonCreated"] = reasonCreated,
        ["scheduled"] = Times.JsIso(scheduled),
    };

    /// <summary>A run claimed by a worker at <paramref name="started"/>, running until <paramref name="takenUntil"/>.</summary>
    public static JsonObject RunningRun(int runId, DateTime scheduled, DateTime started, DateTime takenUntil, string workerGroup, string workerId)
    {
        var run = PendingRun(runId, scheduled, runId == 0 ? "scheduled" : "retry");
        run["state"] = "running";
        run["workerGroup"] = workerGroup;
        run["workerId"] = workerId;
        run["hintId"] = "hint-" + runId;
        run["takenUntil"] = Times.JsIso(takenUntil);
        run["started"] = Times.JsIso(started);
        return run;
    }

    /// <summary>A run resolved as <paramref name="state"/> at <paramref name="resolved"/>.</summary>
    public static JsonObject ResolvedRun(int runId, DateTime scheduled, DateTime started, DateTime resolved, string state, string workerGroup, string workerId)
    {
        var run = RunningRun(runId, scheduled, started, resolved.AddMinutes(20), workerGroup, workerId);
        run["state"] = state;
        run["reasonResolved"] = state == "completed" ? "completed" : "failed";
        run["resolved"] = Times.JsIso(resolved);
        return run;
    }

    // ----- auth -----

    public static ClientSeed Client(Faker f, int index, DateTime now)
    {
        var user = f.Internet.UserName();
        var created = Time(f, now.AddDays(-400), 300);
        var lastModified = Times.Millis(created.AddDays(f.Random.Number(0, 30)));
        return new ClientSeed(
            f.PickRandom("project/releng/", "mozilla-auth0/ad|Mozilla-LDAP|", "github/", "static/taskcluster/") + user + "/" + index,
            f.Lorem.Sentence() + " " + Hostile(f),
            Json.Text(EncryptedContainer(f)),
            Time(f, now.AddDays(300), 200),
            f.Random.Bool(0.1f),
            [$"assume:project:releng:{user}", "queue:create-task:highest:proj-releng/*", @"secrets:get:garbage/\weird/" + user],
            created,
            lastModified,
            Times.Millis(lastModified.AddHours(f.Random.Number(1, 2000))),
            Times.Millis(lastModified.AddHours(f.Random.Number(0, 100))),
            f.Random.Bool());
    }

    public static RoleSeed Role(Faker f, int index, DateTime now)
    {
        var created = Time(f, now.AddDays(-200), 150);
        return new RoleSeed(
            f.PickRandom("repo:github.com/mozilla/", "project:releng:", "hook-id:project-", "worker-pool:proj-", "login-identity:mozilla-auth0/") + f.Internet.DomainWord() + ":" + index,
            [$"assume:project:{f.Internet.DomainWord()}:*", $"queue:route:index.{f.Lorem.Word()}.*", "secrets:get:project/" + f.Lorem.Word() + "/*"],
            f.Lorem.Paragraph() + " " + Hostile(f),
            created,
            Times.Millis(created.AddDays(f.Random.Number(0, 60))));
    }

    // ----- secrets, worker pools, task groups -----

    public static SecretSeed Secret(Faker f, int index, DateTime now) => new(
        f.PickRandom("project/releng/gecko/build/level-3/", "repo:github.com/mozilla/", "worker-pool:proj-", "garbage/") + f.Internet.DomainWord() + "/" + index + (index % 5 == 0 ? " ☃ \\back\\slash" : string.Empty),
        Json.Text(EncryptedContainer(f)),
        index % 4 == 0 ? Time(f, now.AddDays(-30), 20) : Time(f, now.AddDays(365), 300));

    public static WorkerPoolSeed WorkerPool(Faker f, int index, DateTime now)
    {
        var provider = f.PickRandom("aws", "google", "azure", "static");
        var created = Time(f, now.AddDays(-100), 90);
        var config = new JsonObject
        {
            ["minCapacity"] = f.Random.Number(0, 2),
            ["maxCapacity"] = f.Random.Number(5, 500),
            ["launchConfigs"] = new JsonArray(new JsonObject
            {
                ["region"] = f.PickRandom("us-east-1", "us-west1", "eastus"),
                ["capacityPerInstance"] = 1,
                ["workerConfig"] = new JsonObject
                {
                    ["genericWorker"] = new JsonObject { ["config"] = new JsonObject { ["tasksDir"] = @"C:\tasks", ["cachesDir"] = @"Z:\caches", ["runAsAdministrator"] = false } },
                    ["motd"] = Hostile(f),
                },
            }),
        };
        return new WorkerPoolSeed(
            $"proj-{f.Internet.DomainWord()}/{f.PickRandom("b-linux", "t-win10-64", "ci")}-{index}",
            provider,
            index % 3 == 0 ? ["static"] : [],
            f.Lorem.Sentence() + " " + Hostile(f),
            Json.Text(config),
            created,
            Times.Millis(created.AddDays(f.Random.Number(0, 80))),
            f.Internet.Email(),
            f.Random.Bool(),
            Json.Text(new JsonObject { ["lastCheck"] = Times.JsIso(created), ["note"] = Hostile(f) }));
    }

    public static TaskGroupSeed TaskGroup(Faker f, DateTime now) => new(
        Slugid.Next(f),
        f.PickRandom("gecko-level-3", "taskcluster-github", "tc-diagnostics", "-"),
        Time(f, now.AddDays(180), 150));
}

/// <summary>A task as the queue stores it; JSON members are compact JSON texts.</summary>
public sealed record TaskSeed(
    Slugid TaskId,
    Slugid TaskGroupId,
    string ProvisionerId,
    string WorkerType,
    string SchedulerId,
    string[] Dependencies,
    string Requires,
    string[] Routes,
    string Priority,
    int Retries,
    int RetriesLeft,
    DateTime Created,
    DateTime Deadline,
    DateTime Expires,
    string[] Scopes,
    string Payload,
    string Metadata,
    string Tags,
    string Extra,
    string Runs,
    DateTime? TakenUntil)
{
    public string TaskQueueId => ProvisionerId + "/" + WorkerType;

    /// <summary>The entity properties of <c>queue_tasks_entities</c> except the payload and extra buffers.</summary>
    public string EntityPropertiesWithoutBuffers() => Json.Text(new JsonObject
    {
        ["taskId"] = TaskId.Uuid,
        ["provisionerId"] = ProvisionerId,
        ["workerType"] = WorkerType,
        ["schedulerId"] = SchedulerId,
        ["taskGroupId"] = TaskGroupId.Uuid,
        ["dependencies"] = Json.Strings(Dependencies),
        ["requires"] = Requires,
        ["routes"] = Json.Strings(Routes),
        ["priority"] = Priority,
        ["retries"] = Retries,
        ["retriesLeft"] = RetriesLeft,
        ["created"] = Times.JsIso(Created),
        ["deadline"] = Times.JsIso(Deadline),
        ["expires"] = Times.JsIso(Expires),
        ["scopes"] = Json.Strings(Scopes),
        ["metadata"] = JsonNode.Parse(Metadata),
        ["tags"] = JsonNode.Parse(Tags),
        ["runs"] = JsonNode.Parse(Runs),
        ["takenUntil"] = Times.JsIso(TakenUntil ?? DateTime.UnixEpoch),
    });

    /// <summary>Positional arguments of <c>create_task</c> (versions 8 to 10).</summary>
    public object?[] CreateTaskArgs() =>
    [
        TaskId.Slug, ProvisionerId, WorkerType, SchedulerId, TaskGroupId.Slug, Json.Text(Json.Strings(Dependencies)), Requires,
        Json.Text(Json.Strings(Routes)), Priority, Retries, Created, Deadline, Expires, Json.Text(Json.Strings(Scopes)), Payload, Metadata, Tags, Extra,
    ];
}

public sealed record ClientSeed(
    string ClientId,
    string Description,
    string AccessToken,
    DateTime Expires,
    bool Disabled,
    string[] Scopes,
    DateTime Created,
    DateTime LastModified,
    DateTime LastDateUsed,
    DateTime LastRotated,
    bool DeleteOnExpiration)
{
    /// <summary>The entity properties of <c>clients_entities</c>.</summary>
    public string EntityProperties() => Json.Text(new JsonObject
    {
        ["clientId"] = ClientId,
        ["description"] = Description,
        ["accessToken"] = JsonNode.Parse(AccessToken),
        ["expires"] = Times.JsIso(Expires),
        ["disabled"] = Disabled,
        ["scopes"] = Json.Strings(Scopes),
        ["details"] = new JsonObject
        {
            ["created"] = Times.JsIso(Created),
            ["lastModified"] = Times.JsIso(LastModified),
            ["lastDateUsed"] = Times.JsIso(LastDateUsed),
            ["lastRotated"] = Times.JsIso(LastRotated),
            ["deleteOnExpiration"] = DeleteOnExpiration,
        },
    });
}

public sealed record RoleSeed(string RoleId, string[] Scopes, string Description, DateTime Created, DateTime LastModified)
{
    /// <summary>The role as an element of the role-list blob of <c>roles_entities</c>.</summary>
    public JsonObject BlobElement() => new()
    {
        ["roleId"] = RoleId,
        ["scopes"] = Json.Strings(Scopes),
        ["description"] = Description,
        ["created"] = Times.JsIso(Created),
        ["lastModified"] = Times.JsIso(LastModified),
    };
}

public sealed record SecretSeed(string Name, string Secret, DateTime Expires)
{
    /// <summary>The entity properties of <c>secrets_entities</c>.</summary>
    public string EntityProperties() => Json.Text(new JsonObject
    {
        ["name"] = Name,
        ["secret"] = JsonNode.Parse(Secret),
        ["expires"] = Times.JsIso(Expires),
    });
}

public sealed record WorkerPoolSeed(
    string WorkerPoolId,
    string ProviderId,
    string[] PreviousProviderIds,
    string Description,
    string Config,
    DateTime Created,
    DateTime LastModified,
    string Owner,
    bool EmailOnError,
    string ProviderData)
{
    /// <summary>The entity properties of <c>wmworker_pools_entities</c>.</summary>
    public string EntityProperties() => Json.Text(new JsonObject
    {
        ["workerPoolId"] = WorkerPoolId,
        ["providerId"] = ProviderId,
        ["previousProviderIds"] = Json.Strings(PreviousProviderIds),
        ["description"] = Description,
        ["config"] = JsonNode.Parse(Config),
        ["created"] = Times.JsIso(Created),
        ["lastModified"] = Times.JsIso(LastModified),
        ["owner"] = Owner,
        ["emailOnError"] = EmailOnError,
        ["providerData"] = JsonNode.Parse(ProviderData),
    });
}

public sealed record TaskGroupSeed(Slugid TaskGroupId, string SchedulerId, DateTime Expires)
{
    /// <summary>The entity properties of <c>queue_task_groups_entities</c>.</summary>
    public string EntityProperties() => Json.Text(new JsonObject
    {
        ["taskGroupId"] = TaskGroupId.Uuid,
        ["schedulerId"] = SchedulerId,
        ["expires"] = Times.JsIso(Expires),
    });
}
