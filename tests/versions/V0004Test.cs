using System.Text.Json.Nodes;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 4: worker-manager's entities tables (phase 1): worker pools, workers and worker pool errors.
/// Checks they appear for the worker_manager role only at version 4 and that each table's five methods keep
/// their contract with realistic worker pools, workers and errors.
/// </summary>
public sealed class V0004Test() : VersionTest(4)
{
    private static readonly string[] Tables = ["wmworker_pools_entities", "wmworkers_entities", "wmworker_pool_errors_entities"];

    protected override Task AssertBeforeUpgradeAsync(VersionContext db) => EntityContract.AssertAbsentAsync(db, Tables);

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await EntityContract.AssertPresentAsync(db, "worker_manager", Tables);
        var f = Realistic.Faker(4);
        var now = Js.Now();

        var pool = Realistic.WorkerPool(f, 1, now);
        var moved = pool with { ProviderId = "google", PreviousProviderIds = [.. pool.PreviousProviderIds, pool.ProviderId], LastModified = now };
        await EntityContract.VerifyAsync(db, "worker_manager", "wmworker_pools_entities", pool.WorkerPoolId, "workerPool", pool.EntityProperties(), moved.EntityProperties());

        var workerId = "i-0" + f.Random.Hash(16);
        var worker = new JsonObject
        {
            ["workerPoolId"] = pool.WorkerPoolId,
            ["workerGroup"] = "us-east-1",
            ["workerId"] = workerId,
            ["providerId"] = pool.ProviderId,
            ["created"] = Js.Iso(now),
            ["expires"] = Js.Iso(now.AddDays(7)),
            ["state"] = "requested",
            ["providerData"] = new JsonObject { ["instanceId"] = workerId, ["region"] = "us-east-1", ["userData"] = Realistic.Hostile(f) },
        };
        var running = worker.DeepClone().AsObject();
        running["state"] = "running";
        await EntityContract.VerifyAsync(db, "worker_manager", "wmworkers_entities", pool.WorkerPoolId, "us-east-1_" + workerId, Json.Text(worker), Json.Text(running));

        var errorId = Slugid.Next(f);
        var error = new JsonObject
        {
            ["workerPoolId"] = pool.WorkerPoolId,
            ["errorId"] = errorId.Uuid,
            ["reported"] = Js.Iso(now),
            ["kind"] = "creation-error",
            ["title"] = "Instance Creation Error",
            ["description"] = "InsufficientInstanceCapacity: " + Realistic.Hostile(f),
            ["extra"] = new JsonObject { ["code"] = "InsufficientInstanceCapacity", ["path"] = @"C:\logs\provider.log" },
        };
        var reworded = error.DeepClone().AsObject();
        reworded["title"] = "Instance Creation Error (retried) ☃";
        await EntityContract.VerifyAsync(db, "worker_manager", "wmworker_pool_errors_entities", pool.WorkerPoolId, errorId.Slug, Json.Text(error), Json.Text(reworded));
    }
}
