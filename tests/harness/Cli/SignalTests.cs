using System.Diagnostics;
using Npgsql;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Authoring;
using Tcdb.Harness.Tests.Verification;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Cli;

/// <summary>
/// <c>tcdb verify</c> as a process, stopped while it works: SIGINT, SIGTERM and SIGHUP clean up and exit 128 + the
/// signal; after SIGKILL, <c>tcdb clean</c> drops the databases and roles the dead run left and says so.
/// </summary>
[TestFixture]
public sealed class SignalTests
{
    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    [TestCase("HUP", 129)]
    public async Task SignalCleansUpAndExitsWith128PlusTheSignal(string signal, int exitCode)
    {
        var server = await TestServer.GetAsync();
        using var dir = SlowDirectory();
        using var verify = StartVerify(dir, server);
        var output = verify.StandardOutput.ReadToEndAsync();
        var error = verify.StandardError.ReadToEndAsync();
        await WaitForObjectsOfAsync(server, verify);

        await Processes.RunAsync("kill", [$"-{signal}", verify.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await verify.WaitForExitAsync(limit.Token);

        var printed = $"{await output}\n{await error}";
        Assert.That(verify.ExitCode, Is.EqualTo(exitCode), printed);
        Assert.That(await error, Does.Contain("tcdb verify: cancelled"));
        Assert.That(await ObjectsOfAsync(server, verify.Id), Is.Empty, "every database and role of the run was dropped");
    }

    [Test]
    public async Task SighupStopsAndRemovesTheThrowawayCluster()
    {
        var major = PostgresServers.MajorFromEnvironment();
        try
        {
            PostgresBinaries.Locate(major);
        }
        catch (ServerUnavailableException e)
        {
            Assert.Ignore($"no local PostgreSQL {major} to start a throwaway cluster of: {e.Message}");
        }

        using var dir = SlowDirectory();
        using var verify = StartProcess("verify", "--db-dir", dir.Path, "--jobs", "1", "--pg", major.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var error = verify.StandardError.ReadToEndAsync();
        string? server = null;
        while (server is null && await verify.StandardOutput.ReadLineAsync() is { } line)
        {
            server = line.StartsWith("server: throwaway", StringComparison.Ordinal) ? line : null;
        }

        Assert.That(server, Is.Not.Null, "verify printed no throwaway server");
        var match = System.Text.RegularExpressions.Regex.Match(server!, @"on 127\.0\.0\.1:(\d+) \((.+)\)$");
        var admin = $"Host=127.0.0.1;Port={match.Groups[1].Value};Username=postgres;Database=postgres";
        var clusterDirectory = match.Groups[2].Value;
        var output = verify.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (await CountAsync(admin, "select count(*) from pg_stat_activity where position('pg_sleep(60)' in query) > 0 and pid <> pg_backend_pid()") == 0)
        {
            Assert.That(verify.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60), Is.False, "verify never reached version 2");
            await Task.Delay(100);
        }

        await Processes.RunAsync("kill", ["-HUP", verify.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await verify.WaitForExitAsync(limit.Token);

        Assert.That(verify.ExitCode, Is.EqualTo(129), $"{await output}\n{await error}");
        Assert.That(Directory.Exists(clusterDirectory), Is.False, "the cluster folder was removed");
        Assert.That(await CountAsync(admin, "select 1"), Is.Null, "the cluster's server was stopped");
    }

    [TestCase("clean")]
    [TestCase("verify")]
    public async Task AfterSigkillTheNextRunDropsWhatTheDeadRunLeftAndSaysSo(string command)
    {
        var server = await TestServer.GetAsync();
        using var dir = SlowDirectory();
        using var verify = StartVerify(dir, server);
        _ = verify.StandardOutput.ReadToEndAsync();
        _ = verify.StandardError.ReadToEndAsync();
        await WaitForObjectsOfAsync(server, verify);
        verify.Kill();
        await verify.WaitForExitAsync();
        var left = await ObjectsOfAsync(server, verify.Id);
        Assert.That(left, Is.Not.Empty, "SIGKILL leaves the run's objects");

        // The server ends the dead run's sessions (and so its lock) when it notices they are gone: wait for that,
        // as any later run would come after it.
        var database = left.First(o => o.StartsWith("tcdb_", StringComparison.Ordinal));
        string? comment;
        await using (var connection = new NpgsqlConnection(server.AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var describe = new NpgsqlCommand("select shobj_description(d.oid, 'pg_database') from pg_database d where d.datname = $1", connection);
            describe.Parameters.Add(new NpgsqlParameter { Value = database });
            comment = await describe.ExecuteScalarAsync() as string;
        }

        var key = RunMark.Parse(comment)?.Key;
        Assert.That(key, Is.Not.Null, $"database {database} carries the run's mark");
        var released = Stopwatch.StartNew();
        while (key is not null && await CountAsync(server.AdminConnectionString, $"select count(*) from pg_locks where locktype = 'advisory' and classid = {RunMark.LockClass}::bigint::oid and objsubid = 2 and objid::bigint = {key}") > 0)
        {
            Assert.That(released.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the killed run's lock was never released");
            await Task.Delay(100);
        }

        using var quick = new DbDirectoryBuilder();
        var url = ConnectionStrings.ToUrl(server.AdminConnectionString);
        var clean = command == "clean" ? await CliRun.RunAsync("clean", "--admin-db-url", url) : await CliRun.RunAsync("verify", "--db-dir", quick.Path, "--admin-db-url", url);

        Assert.That(clean.ExitCode, Is.EqualTo(ExitCodes.Ok), clean.ToString);
        Assert.That(clean.Out, Does.Contain("database(s) left on").And.Contain("by tcdb runs that are gone"));
        foreach (var name in left)
        {
            Assert.That(clean.Out, Does.Contain(name));
        }

        Assert.That(await ObjectsOfAsync(server, verify.Id), Is.Empty);
    }

    /// <summary>Version 2's script sleeps long enough for the test to stop the run in the middle of it.</summary>
    private static DbDirectoryBuilder SlowDirectory() =>
        new DbDirectoryBuilder().ScriptVersion(2, "begin\n  perform pg_sleep(60);\nend", "begin\nend");

    private static Process StartVerify(DbDirectoryBuilder dir, IPostgresServer server) =>
        StartProcess("verify", "--db-dir", dir.Path, "--jobs", "1", "--admin-db-url", ConnectionStrings.ToUrl(server.AdminConnectionString));

    /// <summary>Starts <c>tcdb</c> as its own process.</summary>
    private static Process StartProcess(params string[] arguments)
    {
        // A background job starts with SIGINT ignored, and the process would inherit that: restore the default.
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] command = ["--default-signal=INT,TERM,HUP", Processes.Dotnet, Path.Combine(AppContext.BaseDirectory, "tcdb.dll"), .. arguments];
        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_ROOT"] = Processes.DotnetRoot;
        return Process.Start(info)!;
    }

    private static async Task WaitForObjectsOfAsync(IPostgresServer server, Process run)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.That(run.HasExited, Is.False, "the run ended before it was stopped");
            var objects = await ObjectsOfAsync(server, run.Id);
            if (objects.Any(o => o.StartsWith("tcdb_", StringComparison.Ordinal)) && objects.Any(o => o.StartsWith("tcv_", StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the run created no database and role");
    }

    /// <summary>The single value of <paramref name="sql"/>, or null when the server does not answer.</summary>
    private static async Task<long?> CountAsync(string connectionString, string sql)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=3");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    /// <summary>The databases and roles whose run mark names process <paramref name="pid"/> of this host.</summary>
    private static async Task<List<string>> ObjectsOfAsync(IPostgresServer server, int pid)
    {
        const string sql = """
            select datname from pg_database where shobj_description(oid, 'pg_database') like $1
            union all
            select rolname from pg_roles where shobj_description(oid, 'pg_authid') like $1
            """;
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = $"tcdb run % (host {Environment.MachineName}, pid {pid}, %" });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
