using System.Diagnostics;
using System.Globalization;
using Tcdb.Servers;
using static Tcdb.Harness.Tests.Servers.ServerTestSupport;

namespace Tcdb.Harness.Tests.Servers;

[TestFixture]
public sealed class ThrowawayClusterTests
{
    [TestCaseSource(typeof(ServerTestSupport), nameof(Majors))]
    public async Task StartsAndStopsEachMajor(int major)
    {
        string connectionString;
        string directory;
        await using (var cluster = await ThrowawayCluster.StartAsync(major))
        {
            connectionString = cluster.AdminConnectionString;
            directory = cluster.DirectoryPath;
            var version = await ScalarAsync<string>(connectionString, "select version()");
            TestContext.Progress.WriteLine($"PG {major}: {version}");
            Assert.That(version, Does.StartWith($"PostgreSQL {major}."));
            Assert.That(cluster.MajorVersion, Is.EqualTo(major));
            Assert.That(await ScalarAsync<bool>(connectionString, "select current_setting('fsync') = 'off'"), Is.True);
        }

        Assert.That(await AcceptsConnectionsAsync(connectionString), Is.False, "the server still accepts connections after dispose");
        Assert.That(Directory.Exists(directory), Is.False, "the cluster folder was not deleted");
    }

    [Test]
    public async Task DefaultCollationSortsLikeEnUs()
    {
        var server = await Tcdb.Testing.TestServer.GetAsync();
        await using var database = await server.CreateDatabaseAsync();
        var order = await ScalarAsync<string>(
            database.ConnectionString,
            "select string_agg(c, '' order by c) from unnest(array['B', 'b', 'A', 'a', '0']) as c");
        Assert.That(order, Is.EqualTo("0aAbB"));
    }

    [Test]
    public async Task TwoClustersRunSideBySide()
    {
        var major = PostgresServers.MajorFromEnvironment();
        await using var first = await ThrowawayCluster.StartAsync(major);
        await using var second = await ThrowawayCluster.StartAsync(major);
        Assert.That(second.Port, Is.Not.EqualTo(first.Port));
        await ExecuteAsync(first.AdminConnectionString, "create table only_in_first (id integer)");
        Assert.That(await ScalarAsync<long>(first.AdminConnectionString, "select count(*) from pg_tables where tablename = 'only_in_first'"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>(second.AdminConnectionString, "select count(*) from pg_tables where tablename = 'only_in_first'"), Is.EqualTo(0));
    }

    [Test]
    public async Task ClusterOfAKilledRunIsRemovedByTheNextStart()
    {
        var major = PostgresServers.MajorFromEnvironment();
        var cli = Path.Combine(AppContext.BaseDirectory, "tcdb.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { cli, "server", "--pg", major.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        using var orphanOwner = Process.Start(info)!;
        string? url = null;
        while (await orphanOwner.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("admin url: ", StringComparison.Ordinal))
            {
                url = line["admin url: ".Length..];
                break;
            }
        }

        Assert.That(url, Is.Not.Null, "tcdb server did not print its URL");
        var connectionString = ConnectionStrings.Normalize(url!);
        Assert.That(await AcceptsConnectionsAsync(connectionString), Is.True);

        orphanOwner.Kill(); // SIGKILL: no chance to stop its cluster.
        await orphanOwner.WaitForExitAsync();
        Assert.That(await AcceptsConnectionsAsync(connectionString), Is.True, "the orphaned server should outlive its owner");

        var removed = await ThrowawayCluster.RemoveStaleClustersAsync();

        Assert.That(removed, Is.GreaterThanOrEqualTo(1));
        Assert.That(await AcceptsConnectionsAsync(connectionString), Is.False, "the orphaned server is still running");
    }

    [Test]
    public void MissingBinariesNameEveryPlaceSearchedAndTheInstallCommand()
    {
        var error = Assert.Throws<ServerUnavailableException>(() => PostgresBinaries.Locate(97))!;
        Assert.That(error.Message, Does.Contain("PostgreSQL 97 server binaries (initdb, pg_ctl, postgres) were not found"));
        Assert.That(error.Message, Does.Contain("/usr/lib/postgresql/97/bin"));
        Assert.That(error.Message, Does.Contain("or point TCDB_PG97_BIN at a bin directory"));
        Assert.That(error.Message, Does.Contain("./run-tests.sh --setup-only"));
        Assert.That(error.Message, Does.Contain("apt-get install postgresql-97"));
    }

    [Test]
    public async Task TheEnUsLocaleIsInstalledHere() =>
        await LocaleCheck.EnsureAvailableAsync(CancellationToken.None);

    [Test]
    public void AMissingLocaleIsAClearErrorWithTheCommandThatInstallsIt()
    {
        var error = Assert.ThrowsAsync<ServerUnavailableException>(() => LocaleCheck.EnsureAvailableAsync(CancellationToken.None, "xx_XX.UTF-8"))!;
        Assert.That(error.Message, Does.StartWith("the xx_XX.UTF-8 locale is not installed on this machine (locale -a lists: "));
        Assert.That(error.Message, Does.Contain("locale-gen"));
        Assert.That(error.Message, Does.Contain("sorts like en_US.UTF-8 (0 < a < A < b < B)"));
    }

    [Test]
    public void AnExplicitBinDirectoryIsSearchedFirst()
    {
        var variable = PostgresBinaries.BinVariable(96);
        Environment.SetEnvironmentVariable(variable, "/nonexistent/pg96/bin");
        try
        {
            var error = Assert.Throws<ServerUnavailableException>(() => PostgresBinaries.Locate(96))!;
            var lines = error.Message.Split('\n');
            Assert.That(lines[1], Does.Contain("/nonexistent/pg96/bin ($TCDB_PG96_BIN)"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
