using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tcdb.Servers;

/// <summary>
/// The Docker engine Testcontainers finds (DOCKER_HOST, the Testcontainers properties file, the local socket):
/// reachability, the clean-up of containers of killed runs, and whether Testcontainers' resource reaper can run.
/// </summary>
internal static class DockerEngine
{
    /// <summary>Label naming the process (pid and start time) that owns a container, like a throwaway cluster's owner file.</summary>
    public const string OwnerLabel = "org.tcdb.owner";

    /// <summary>Label naming the machine of that process: only containers of this machine are judged by pid.</summary>
    public const string HostLabel = "org.tcdb.host";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? reaper;

    /// <summary>The owner label's value for this process.</summary>
    public static string OwnerValue => $"{Environment.ProcessId} {ClusterDirectory.ProcessStartTicks(Environment.ProcessId)}";

    /// <summary>True when the engine runs on this machine (a Unix socket or named pipe), so ports can be published on loopback only.</summary>
    public static bool IsLocal => Endpoint?.Scheme is "unix" or "npipe";

    private static Uri? Endpoint => TestcontainersSettings.OS.DockerEndpointAuthConfig?.Endpoint;

    /// <summary>
    /// Checks the engine answers, removes containers of dead tcdb processes, and (once per process) decides
    /// whether Testcontainers' resource reaper (Ryuk) can run: it is started once; if that fails (its image cannot
    /// be pulled) it is turned off for the process.
    /// Returns how containers get cleaned up after a killed run, for the server's description.
    /// </summary>
    /// <exception cref="ServerUnavailableException">no engine answers.</exception>
    public static async Task<string> PrepareAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            await MatchLocalApiVersionAsync(cancellationToken);
            using var client = CreateClient();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                await client.System.PingAsync(timeout.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw Unreachable(Brief(e), e);
            }

            await RemoveStaleContainersAsync(client, cancellationToken);
            reaper ??= await ChooseReaperAsync(cancellationToken);
            return reaper;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Removes containers whose owner label names a process of this machine that is gone. Returns how many.</summary>
    public static async Task<int> RemoveStaleContainersAsync(IDockerClient client, CancellationToken cancellationToken)
    {
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [OwnerLabel] = true } },
            },
            cancellationToken);
        var removed = 0;
        foreach (var container in containers)
        {
            if (!container.Labels.TryGetValue(HostLabel, out var host) || host != Environment.MachineName ||
                !container.Labels.TryGetValue(OwnerLabel, out var owner) || !IsStale(owner))
            {
                continue;
            }

            try
            {
                await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
                removed++;
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed meanwhile (by the reaper or another run).
            }
        }

        return removed;
    }

    /// <summary>True when <paramref name="owner"/> (pid and start ticks) names no living process.</summary>
    internal static bool IsStale(string owner)
    {
        var parts = owner.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[0], out var pid))
        {
            return true;
        }

        var ticks = ClusterDirectory.ProcessStartTicks(pid);
        return ticks is null || ticks != parts[1];
    }

    /// <summary>Whether an image is present on the engine (no pull).</summary>
    public static async Task<bool> HasImageAsync(string image, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The first line of an exception's message (Docker's carry whole JSON responses).</summary>
    public static string Brief(Exception e) => e.Message.Split('\n')[0].Trim().TrimEnd('.', '\'');

    /// <summary>The message for an engine that does not answer: where it was looked for and what to do.</summary>
    public static ServerUnavailableException Unreachable(string detail, Exception? inner = null) => new(
        $"no Docker engine is reachable ({Endpoint?.ToString() ?? WhereLooked()}): {detail}. " +
        "Start Docker (on Debian, as root: scripts/docker-engine.sh start), point DOCKER_HOST at an engine, " +
        "or use a throwaway cluster instead (TCDB_SERVER=local, --server local).",
        inner);

    /// <summary>
    /// Testcontainers asks for a newer Docker API than older engines serve (Debian 12's docker.io 20.10 serves 1.41)
    /// and then finds no engine at all. Before it looks, a local engine's own API version is read from its socket
    /// and set as DOCKER_API_VERSION, unless that variable or DOCKER_HOST is already set.
    /// </summary>
    private static async Task MatchLocalApiVersionAsync(CancellationToken cancellationToken)
    {
        const string Socket = "/var/run/docker.sock";
        if (Environment.GetEnvironmentVariable("DOCKER_API_VERSION") is { Length: > 0 } ||
            Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } ||
            OperatingSystem.IsWindows() || !File.Exists(Socket))
        {
            return;
        }

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Socket), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var version = await http.GetFromJsonAsync<JsonDocument>("http://docker/version", cancellationToken);
            if (version?.RootElement.TryGetProperty("ApiVersion", out var api) == true && api.GetString() is { Length: > 0 } text)
            {
                Environment.SetEnvironmentVariable("DOCKER_API_VERSION", text);
            }
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Nothing answers there: Testcontainers reports it the usual way.
        }
    }

    private static string WhereLooked() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host
            ? $"DOCKER_HOST={host} does not answer"
            : "DOCKER_HOST is unset and nothing answers on /var/run/docker.sock";

    private static DockerClient CreateClient()
    {
        var config = TestcontainersSettings.OS.DockerEndpointAuthConfig ?? throw Unreachable("Testcontainers found no engine");
        return config.GetDockerClientBuilder(ResourceReaper.DefaultSessionId).Build();
    }

    private static async Task<string> ChooseReaperAsync(CancellationToken cancellationToken)
    {
        const string Labels = "tcdb's owner labels remove containers of killed runs";
        if (!TestcontainersSettings.ResourceReaperEnabled)
        {
            return $"resource reaper disabled; {Labels}";
        }

        var config = TestcontainersSettings.OS.DockerEndpointAuthConfig ?? throw Unreachable("Testcontainers found no engine");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            await ResourceReaper.GetAndStartDefaultAsync(config, NullLogger.Instance, false, timeout.Token);
            return $"resource reaper and {Labels}";
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Typically an offline machine without the reaper's image: without the reaper every start would fail.
            TestcontainersSettings.ResourceReaperEnabled = false;
            return $"resource reaper unavailable: {Brief(e)}; {Labels}";
        }
    }
}
