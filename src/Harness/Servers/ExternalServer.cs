using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// A server the user runs (TEST_DB_URL or --admin-db-url). The harness only creates and drops its own
/// uniquely named databases in it; disposing does not stop anything.
/// </summary>
public sealed class ExternalServer : PostgresServerBase
{
    private readonly string adminConnectionString;

    private ExternalServer(string adminConnectionString)
    {
        this.adminConnectionString = adminConnectionString;
    }

    public override string Description =>
        $"external PostgreSQL {ServerVersion} at {ConnectionStrings.Redact(adminConnectionString)}";

    public override string AdminConnectionString => adminConnectionString;

    /// <summary>Connects to the server named by a URL or keyword string and reads its version.</summary>
    /// <exception cref="ServerUnavailableException">the server cannot be reached or refuses the credentials.</exception>
    public static async Task<ExternalServer> ConnectAsync(string urlOrConnectionString, CancellationToken cancellationToken = default)
    {
        string normalized;
        try
        {
            normalized = ConnectionStrings.Normalize(urlOrConnectionString);
        }
        catch (FormatException e)
        {
            throw new ServerUnavailableException(e.Message, e);
        }

        // A test server: error details (the failing row) help more than they could leak.
        normalized = new NpgsqlConnectionStringBuilder(normalized) { IncludeErrorDetail = true }.ConnectionString;
        var server = new ExternalServer(normalized);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await server.ReadServerVersionAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ServerUnavailableException(
                $"cannot connect to PostgreSQL at {ConnectionStrings.Redact(normalized)}: {e.Message}", e);
        }

        return server;
    }

    public override ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
