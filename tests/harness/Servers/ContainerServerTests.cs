using System.Diagnostics;
using System.Text.Json.Nodes;
using Docker.DotNet;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Npgsql;
using Tcdb.Client;
using Tcdb.Migration;
using Tcdb.Servers;
using Tcdb.Testing;
using static Tcdb.Harness.Tests.Servers.ServerTestSupport;

namespace Tcdb.Harness.Tests.Servers;

/// <summary>
/// The Testcontainers-backed server against a real Docker engine. Without an engine or without the image
/// (postgres:&lt;PG_VERSION&gt;) these tests are skipped with the reason, unless TCDB_DOCKER_TESTS=require
/// (run-tests.sh --docker sets it once it has started the engine and built the image): then they fail.
/// </summary>
[TestFixture]
[Category("Docker")]
public sealed class ContainerServerTests
{
    private const string RequireVariable = "TCDB_DOCKER_TESTS";

    [Test]
    public async Task A_container_server_upgrades_db_and_serves_a_function_then_disappears_on_dispose()
    {
        var image = await ImageOrSkipAsync();
        var schema = DbDirectories.Load(DbDirectories.Find());
        string adminConnectionString;
        string id;
        await using (var server = await ContainerServer.StartAsync(image))
        {
            adminConnectionString = server.AdminConnectionString;
            id = server.ContainerId;
            TestContext.Progress.WriteLine($"container: {server.Description}");
            Assert.That(server.MajorVersion, Is.EqualTo(PostgresServers.MajorFromEnvironment()));
            Assert.That(new NpgsqlConnectionStringBuilder(adminConnectionString).Host, Is.EqualTo("127.0.0.1"), "clients connect to the port published on loopback");
            Assert.That(await PublishedHostIpAsync(id), Is.EqualTo("127.0.0.1"), "the port is published on loopback only");
            Assert.That(await ScalarAsync<bool>(adminConnectionString, "select current_setting('fsync') = 'off'"), Is.True);
            Assert.That(await ScalarAsync<string>(adminConnectionString, "select current_setting('lc_collate')"), Is.EqualTo("en_US.UTF-8"));

            await using var database = await server.CreateDatabaseAsync();
            await ExecuteAsync(database.ConnectionString, "create extension if not exists pgcrypto");
            await using (var migrator = new Migrator(schema, database.ConnectionString, ServiceLogins.MigratorOptions("tcdbcontainer")))
            {
                var result = await migrator.UpgradeAsync();
                Assert.That(result.ToVersion, Is.EqualTo(schema.LatestVersion));
                Assert.That(result.Findings, Is.Empty);
            }

            var login = ServiceLogins.ConnectionString(schema, "tcdbcontainer", database.ConnectionString, "secrets");
            await using var secrets = await FunctionClient.CreateAsync(schema, "secrets", login, login);
            var expires = DateTime.UtcNow.AddDays(1);
            await secrets.CallAsync("upsert_secret", "in-a-container", new JsonObject { ["v"] = 1 }, expires);
            var row = (await secrets.CallAsync("get_secret", "in-a-container")).Single();
            Assert.That(row["name"], Is.EqualTo("in-a-container"));
            Assert.That(await secrets.DatabaseVersionAsync(), Is.EqualTo(schema.LatestVersion));
        }

        Assert.That(await AcceptsConnectionsAsync(adminConnectionString), Is.False, "the server still accepts connections after dispose");
        Assert.That(await ContainerExistsAsync(id), Is.False, "the container was not removed on dispose");
    }

    [Test]
    public async Task The_container_of_a_killed_run_is_removed_by_the_next_start()
    {
        var image = await ImageOrSkipAsync();
        var cli = Path.Combine(AppContext.BaseDirectory, "tcdb.dll");
        var db = Path.Combine(AppContext.BaseDirectory, "TestData", "function-test");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { cli, "verify", "--db-dir", db, "--server", "docker:" + image, "--jobs", "1" })
        {
            info.ArgumentList.Add(arg);
        }

        using var orphanOwner = Process.Start(info)!;
        _ = orphanOwner.StandardError.ReadToEndAsync();
        string? serverLine = null;
        while (await orphanOwner.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("server: ", StringComparison.Ordinal))
            {
                serverLine = line;
                break;
            }
        }

        Assert.That(serverLine, Does.Contain("in a container of " + image), "tcdb verify did not start a container");
        var owned = await ContainersOwnedByAsync(orphanOwner.Id);
        Assert.That(owned, Has.Count.EqualTo(1), "the container carries its owner's label");

        orphanOwner.Kill(); // SIGKILL: no chance to remove its container.
        await orphanOwner.WaitForExitAsync();
        Assert.That(await ContainerExistsAsync(owned[0]), Is.True, "the orphaned container should outlive its owner");

        await using (var next = await ContainerServer.StartAsync(image))
        {
            Assert.That(await ContainerExistsAsync(owned[0]), Is.False, "the next start did not remove the orphaned container");
        }
    }

    [Test]
    public async Task A_missing_image_is_a_clear_error_naming_it_and_how_to_get_one()
    {
        await ImageOrSkipAsync();

        var error = Assert.ThrowsAsync<ServerUnavailableException>(() => ContainerServer.StartAsync("tcdb-test/no-such-image:1"))!;

        Assert.That(error.Message, Does.StartWith("image tcdb-test/no-such-image:1 is not on the Docker engine and could not be pulled ("));
        Assert.That(error.Message, Does.Contain("docker pull tcdb-test/no-such-image:1"));
        Assert.That(error.Message, Does.Contain("scripts/build-postgres-image.sh tcdb-test/no-such-image:1"));
        Assert.That(await ContainersOwnedByAsync(Environment.ProcessId), Is.Empty, "a failed start left a container behind");
    }

    [Test]
    public async Task The_run_server_is_a_container_when_TCDB_SERVER_says_docker()
    {
        if (ServerChoice.FromEnvironment().Kind != ServerKind.Docker || Environment.GetEnvironmentVariable(PostgresServers.TestDbUrlVariable) is { Length: > 0 })
        {
            Assert.Ignore("this run's server is not a container (TCDB_SERVER is not docker, or TEST_DB_URL wins)");
        }

        var server = await TestServer.GetAsync();

        Assert.That(server, Is.TypeOf<ContainerServer>());
        Assert.That(await ContainerExistsAsync(((ContainerServer)server).ContainerId), Is.True);
    }

    /// <summary>The image these tests use, or the test is skipped (failed under TCDB_DOCKER_TESTS=require) with the reason.</summary>
    private static async Task<string> ImageOrSkipAsync()
    {
        var image = ServerChoice.FromEnvironment() is { Kind: ServerKind.Docker } choice
            ? choice.ImageFor(PostgresServers.MajorFromEnvironment())
            : $"postgres:{PostgresServers.MajorFromEnvironment()}";
        string? reason = null;
        try
        {
            await DockerEngine.PrepareAsync(CancellationToken.None);
            if (!await DockerEngine.HasImageAsync(image, CancellationToken.None))
            {
                reason = $"image {image} is not on the Docker engine (scripts/build-postgres-image.sh {image} builds one)";
            }
        }
        catch (ServerUnavailableException e)
        {
            reason = e.Message;
        }

        if (reason is null)
        {
            return image;
        }

        if (Environment.GetEnvironmentVariable(RequireVariable) == "require")
        {
            Assert.Fail($"{RequireVariable}=require, but {reason}");
        }

        Assert.Ignore($"no Docker for the container tests: {reason}");
        return image;
    }

    private static DockerClient Client() =>
        TestcontainersSettings.OS.DockerEndpointAuthConfig!.GetDockerClientBuilder(ResourceReaper.DefaultSessionId).Build();

    private static async Task<bool> ContainerExistsAsync(string id)
    {
        using var client = Client();
        try
        {
            await client.Containers.InspectContainerAsync(id);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    private static async Task<string> PublishedHostIpAsync(string id)
    {
        using var client = Client();
        var inspect = await client.Containers.InspectContainerAsync(id);
        return inspect.NetworkSettings!.Ports["5432/tcp"].Single().HostIP;
    }

    private static async Task<List<string>> ContainersOwnedByAsync(int pid)
    {
        using var client = Client();
        var all = await client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters { All = true });
        return [.. all.Where(c => c.Labels.TryGetValue(DockerEngine.OwnerLabel, out var owner) && owner.StartsWith($"{pid} ", StringComparison.Ordinal)).Select(c => c.ID)];
    }
}
