using System.Security.Cryptography;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Tcdb.Servers;

/// <summary>
/// PostgreSQL in a Docker container started through Testcontainers: any image that behaves like the official
/// <c>postgres</c> image (POSTGRES_* variables, readiness through <c>pg_isready</c>), with the data directory
/// in memory (tmpfs), the test settings of a throwaway cluster, the en_US.UTF-8 locale requested from initdb,
/// and the port published on 127.0.0.1 when the engine is local. Disposing removes the container; a
/// container whose owning process was killed is removed by Testcontainers' reaper where it can run and by
/// the next <see cref="StartAsync"/> on the machine otherwise.
/// </summary>
public sealed class ContainerServer : PostgresServerBase
{
    private const ushort PostgresPort = 5432;

    /// <summary>
    /// The tmpfs the data directory lives in (PGDATA is a subfolder, so a server started as a non-root user can
    /// create it). A path no image has: over an existing folder the mount would take that folder's owner and mode.
    /// </summary>
    private const string DataMount = "/tcdb-data";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly PostgreSqlContainer container;
    private readonly string adminConnectionString;
    private readonly string cleanup;

    private ContainerServer(PostgreSqlContainer container, string image, string cleanup, bool local)
    {
        this.container = container;
        this.cleanup = cleanup;
        Image = image;
        var builder = new NpgsqlConnectionStringBuilder(container.GetConnectionString());

        // Testcontainers may name the bridge's gateway; the port is published on loopback only.
        Host = local ? "127.0.0.1" : builder.Host!;
        Port = builder.Port;
        adminConnectionString = new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            Host = Host,
            MaxPoolSize = 200,
            Timeout = 30,
            IncludeErrorDetail = true,
        }.ConnectionString;
    }

    /// <summary>The image the container runs.</summary>
    public string Image { get; }

    /// <summary>Where clients reach the server: 127.0.0.1 for a local engine.</summary>
    public string Host { get; }

    /// <summary>The published port.</summary>
    public int Port { get; }

    /// <summary>The container's id on the Docker engine.</summary>
    public string ContainerId => container.Id;

    public override string Description =>
        $"PostgreSQL {ServerVersion} in a container of {Image} on {Host}:{Port} ({cleanup})";

    public override string AdminConnectionString => adminConnectionString;

    /// <summary>Starts a container of <paramref name="image"/> and waits until it accepts connections with the en_US.UTF-8 collation.</summary>
    /// <exception cref="ServerUnavailableException">no Docker engine, an image that is missing or does not start, or a wrong collation; the message says what to do.</exception>
    public static async Task<ContainerServer> StartAsync(string image, CancellationToken cancellationToken = default)
    {
        var cleanup = await DockerEngine.PrepareAsync(cancellationToken);

        // Readiness is polled with pg_isready; Testcontainers' default pause between polls (about a second)
        // would be most of a start. Left alone when the user configured one.
        TestcontainersSettings.WaitStrategyInterval ??= TimeSpan.FromMilliseconds(200);
        var local = DockerEngine.IsLocal;
        var container = new PostgreSqlBuilder(image)
            .WithLogger(NullLogger.Instance)
            .WithUsername("postgres")
            .WithPassword(Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant())
            .WithDatabase("postgres")
            .WithEnvironment("LANG", LocaleCheck.Locale)
            .WithEnvironment("POSTGRES_INITDB_ARGS", $"--locale={LocaleCheck.Locale} --encoding=UTF8")
            .WithEnvironment("PGDATA", DataMount + "/pgdata")
            .WithCommand([.. TestServerSettings.SelectMany(setting => new[] { "-c", setting })])
            .WithLabel(DockerEngine.OwnerLabel, DockerEngine.OwnerValue)
            .WithLabel(DockerEngine.HostLabel, Environment.MachineName)
            .WithCreateParameterModifier(parameters =>
            {
                parameters.HostConfig ??= new HostConfig();
                parameters.HostConfig.ShmSize = 256L * 1024 * 1024;

                // World-writable like /tmp, so an image whose server starts as a non-root user can create PGDATA in it.
                parameters.HostConfig.Tmpfs = new Dictionary<string, string> { [DataMount] = "rw,mode=1777" };
                if (local)
                {
                    // Only this machine's clients may reach the server.
                    parameters.HostConfig.PortBindings = new Dictionary<string, IList<PortBinding>>
                    {
                        [$"{PostgresPort}/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = string.Empty }],
                    };
                }
            })
            .Build();

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            try
            {
                await container.StartAsync(timeout.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw await StartFailureAsync(container, image, e);
            }

            var server = new ContainerServer(container, image, cleanup, local);
            await server.ReadServerVersionAsync(cancellationToken);
            if (await server.DefaultCollationMismatchAsync(cancellationToken) is { } collation)
            {
                throw new ServerUnavailableException(
                    $"image {image}: the default collation {collation} does not sort 0 < a < A < b like {LocaleCheck.Locale}, which Taskcluster's queries expect. " +
                    $"Use an image that has the {LocaleCheck.Locale} locale (the official postgres images do; Alpine-based ones sort bytewise), " +
                    "or build one from Debian packages with scripts/build-postgres-image.sh.");
            }

            return server;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await container.DisposeAsync();
    }

    private static async Task<ServerUnavailableException> StartFailureAsync(PostgreSqlContainer container, string image, Exception e)
    {
        if (e is DockerUnavailableException)
        {
            return DockerEngine.Unreachable(DockerEngine.Brief(e), e);
        }

        if (!await DockerEngine.HasImageAsync(image, CancellationToken.None))
        {
            return new ServerUnavailableException(
                $"image {image} is not on the Docker engine and could not be pulled ({DockerEngine.Brief(e)}). " +
                $"Pull it (docker pull {image}), name another (TCDB_SERVER=docker:IMAGE, --server docker:IMAGE), " +
                $"or build one from Debian packages: scripts/build-postgres-image.sh {image}",
                e);
        }

        string log;
        try
        {
            var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false);
            log = string.Join(Environment.NewLine, (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(15));
        }
        catch (Exception logFailure) when (logFailure is not OperationCanceledException)
        {
            log = $"(no container log: {logFailure.Message})";
        }

        return new ServerUnavailableException(
            $"a container of image {image} did not become a ready PostgreSQL server within {StartTimeout.TotalMinutes:0} minutes ({DockerEngine.Brief(e)}). " +
            $"The image must behave like the official postgres image (POSTGRES_PASSWORD, pg_isready) and have the {LocaleCheck.Locale} locale. " +
            $"Container log (last lines):{Environment.NewLine}{log}",
            e);
    }
}
