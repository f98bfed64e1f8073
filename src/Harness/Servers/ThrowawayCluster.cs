using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// A private PostgreSQL cluster in a temporary directory, tuned for tests (no fsync, no full-page writes,
/// minimal WAL), listening on a free loopback port with trust authentication for the superuser
/// <c>postgres</c>. Disposing stops it and deletes its files; a cluster whose owning process died is
/// removed by the next <see cref="StartAsync"/> on the machine.
/// </summary>
public sealed class ThrowawayCluster : PostgresServerBase
{
    /// <summary>The test settings plus where to listen and log.</summary>
    private static readonly string[] ServerSettings =
    [
        .. TestServerSettings,
        "listen_addresses=127.0.0.1",
        "logging_collector=off",
        "log_min_messages=warning",
    ];

    private readonly PostgresBinaries binaries;
    private readonly ClusterDirectory directory;
    private readonly string? runAs;
    private readonly int port;

    private ThrowawayCluster(PostgresBinaries binaries, ClusterDirectory directory, string? runAs, int port)
    {
        this.binaries = binaries;
        this.directory = directory;
        this.runAs = runAs;
        this.port = port;
    }

    public override string Description => $"throwaway PostgreSQL {ServerVersion} cluster on 127.0.0.1:{port} ({directory.Path})";

    public override string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = port,
        Username = "postgres",
        Database = "postgres",
        MaxPoolSize = 200,
        Timeout = 30,
        IncludeErrorDetail = true,
    }.ConnectionString;

    public int Port => port;

    /// <summary>Where the cluster lives (data directory, log, socket, owner file).</summary>
    public string DirectoryPath => directory.Path;

    /// <summary>
    /// Machine-wide folder holding every throwaway cluster (and the pristine data directories):
    /// <c>$TCDB_CLUSTERS_DIR</c>, else <c>/dev/shm/tcdb-clusters</c> when that memory file system has room
    /// (a database is hundreds of small files: creating and cloning them in memory is an order of magnitude
    /// faster than on most disks), else the temporary folder.
    /// </summary>
    public static string ClustersRoot =>
        Environment.GetEnvironmentVariable("TCDB_CLUSTERS_DIR") is { Length: > 0 } dir ? dir
        : MemoryFileSystemHasRoom() ? "/dev/shm/tcdb-clusters"
        : Path.Combine(Path.GetTempPath(), "tcdb-clusters");

    /// <summary>
    /// Starts a cluster of <paramref name="major"/>: removes clusters of dead runs, copies (or on first use
    /// creates with initdb) a pristine data directory, starts the server and waits until it accepts connections.
    /// </summary>
    public static async Task<ThrowawayCluster> StartAsync(int major, CancellationToken cancellationToken = default)
    {
        var binaries = PostgresBinaries.Locate(major);
        var runAs = await ClusterUser.ResolveAsync(cancellationToken);
        binaries = await ServerPrograms.MakeRunnableAsync(binaries, runAs, cancellationToken);
        PrepareRoot();
        var stale = await RemoveStaleClustersAsync(cancellationToken);

        var pristine = await PristineDataDirectory.GetAsync(binaries, runAs, ClustersRoot, cancellationToken);
        Exception? lastFailure = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var directory = ClusterDirectory.Create(ClustersRoot);
            try
            {
                await directory.PopulateAsync(pristine, runAs, cancellationToken);
                var port = FreeLoopbackPort();
                var cluster = new ThrowawayCluster(binaries, directory, runAs, port);
                await cluster.StartServerAsync(cancellationToken);
                if (stale > 0)
                {
                    cluster.Note($"removed {stale} throwaway cluster(s) of tcdb runs that are gone from {ClustersRoot}");
                }

                return cluster;
            }
            catch (ServerUnavailableException e) when (attempt < 3 && e.Message.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                lastFailure = e;
                directory.Delete();
            }
            catch
            {
                directory.Delete();
                throw;
            }
        }

        throw lastFailure!;
    }

    /// <summary>Stops and deletes clusters whose owning process is gone (a killed run). Returns how many.</summary>
    public static async Task<int> RemoveStaleClustersAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(ClustersRoot))
        {
            return 0;
        }

        var removed = 0;
        foreach (var path in Directory.GetDirectories(ClustersRoot, ClusterDirectory.Pattern))
        {
            var cluster = new ClusterDirectory(path);
            if (!cluster.IsStale())
            {
                continue;
            }

            cluster.KillPostmaster();
            cluster.Delete();
            removed++;
        }

        await Task.CompletedTask;
        return removed;
    }

    /// <summary>Stops the server the way a crash or power loss does (<c>pg_ctl stop -m immediate</c>: no shutdown checkpoint).</summary>
    public async Task CrashAsync(CancellationToken cancellationToken = default)
    {
        var stopped = await ProcessRunner.RunAsync(binaries.PgCtl, ["-D", directory.DataPath, "-m", "immediate", "-w", "stop"], runAs, TimeSpan.FromSeconds(30), cancellationToken);
        NpgsqlConnection.ClearAllPools();
        if (stopped.ExitCode != 0)
        {
            throw new ServerUnavailableException($"pg_ctl stop -m immediate failed (exit {stopped.ExitCode}): {stopped.CombinedOutput}");
        }
    }

    /// <summary>Starts the server again on the same port and data directory (after <see cref="CrashAsync"/>: crash recovery runs).</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) => StartServerAsync(cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await ReleaseLeaseAsync();
        NpgsqlConnection.ClearAllPools();
        await ProcessRunner.RunAsync(binaries.PgCtl, ["-D", directory.DataPath, "-m", "immediate", "-w", "stop"], runAs, TimeSpan.FromSeconds(30));
        directory.Delete();
    }

    private static void PrepareRoot()
    {
        if (!Directory.Exists(ClustersRoot))
        {
            Directory.CreateDirectory(ClustersRoot);
            if (!OperatingSystem.IsWindows())
            {
                // Shared by every user of the machine, like /tmp itself.
                File.SetUnixFileMode(ClustersRoot, (UnixFileMode)Convert.ToInt32("1777", 8));
            }
        }
    }

    private static bool MemoryFileSystemHasRoom()
    {
        const long Needed = 2L * 1024 * 1024 * 1024;
        try
        {
            return Directory.Exists("/dev/shm") && new DriveInfo("/dev/shm").AvailableFreeSpace >= Needed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var options = string.Join(' ', ServerSettings.Select(s => "-c " + s)) +
                      $" -p {port.ToString(CultureInfo.InvariantCulture)} -k {directory.SocketPath}";
        var started = await ProcessRunner.RunAsync(
            binaries.PgCtl,
            ["-D", directory.DataPath, "-l", directory.LogPath, "-o", options, "-w", "-t", "60", "start"],
            runAs,
            TimeSpan.FromSeconds(90),
            cancellationToken);
        if (started.ExitCode != 0)
        {
            throw new ServerUnavailableException(
                $"PostgreSQL {binaries.Major} did not start in {directory.Path} (pg_ctl exit {started.ExitCode}): {started.CombinedOutput}{Environment.NewLine}{directory.TailOfLog()}");
        }

        await ReadServerVersionAsync(cancellationToken);
        if (await DefaultCollationMismatchAsync(cancellationToken) is { } collation)
        {
            throw new ServerUnavailableException(
                $"the cluster's default collation {collation} does not sort 0 < a < A < b like en_US.UTF-8; check that the {LocaleCheck.Locale} locale is installed");
        }
    }
}
