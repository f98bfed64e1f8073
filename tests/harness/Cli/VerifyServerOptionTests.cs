using System.Diagnostics;

namespace Tcdb.Harness.Tests.Cli;

/// <summary><c>tcdb verify --server</c>: the choice of server and its errors (exit 2, one line saying what to do).</summary>
[TestFixture]
public sealed class VerifyServerOptionTests
{
    private static string Db => Path.Combine(AppContext.BaseDirectory, "TestData", "function-test");

    [Test]
    public async Task A_server_that_is_no_server_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("verify", "--db-dir", Db, "--server", "podman");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.StartWith("tcdb verify: --server: 'podman' is not a server: use local (a throwaway cluster), docker (image postgres:<major>) or docker:IMAGE"));
    }

    [Test]
    public async Task A_server_and_an_admin_url_together_are_a_usage_error()
    {
        var run = await CliRun.RunAsync("verify", "--db-dir", Db, "--server", "docker", "--admin-db-url", "postgresql://u@127.0.0.1:1/db");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error, Does.StartWith("tcdb verify: give either --admin-db-url or --server/--pg, not both"));
    }

    [Test]
    public async Task No_reachable_docker_engine_exits_2_saying_where_it_looked_and_what_to_do()
    {
        // A separate process: Testcontainers settles on an engine once per process.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "tcdb.dll"), "verify", "--db-dir", Db, "--server", "docker" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOCKER_HOST"] = "unix:///nonexistent/tcdb-test/docker.sock";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.That(process.ExitCode, Is.EqualTo(2), stderr + await stdout);
        Assert.That(stderr, Does.StartWith("tcdb verify: no Docker engine is reachable (DOCKER_HOST=unix:///nonexistent/tcdb-test/docker.sock does not answer)"));
        Assert.That(stderr, Does.Contain("scripts/docker-engine.sh start").And.Contain("--server local"));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
    }
}
