using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// A server the user runs (TEST_DB_URL or --admin-db-url), reached as a superuser. The harness only creates and
/// drops its own uniquely named databases and roles in it (and those that killed runs left, see <see cref="Leftovers"/>);
/// disposing does not stop anything.
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

    /// <summary>The database the URL names, as a <see cref="TestDatabase"/> that disposing keeps.</summary>
    public TestDatabase ConfiguredDatabase =>
        new(this, new Npgsql.NpgsqlConnectionStringBuilder(adminConnectionString).Database ?? "postgres", adminConnectionString, owned: false);

    /// <summary>Connects to the server named by a URL or keyword string and reads its version.</summary>
    /// <exception cref="ServerUnavailableException">the server cannot be reached or refuses the credentials.</exception>
    /// <param name="urlOrConnectionString">The admin URL (or Npgsql connection string).</param>
    /// <param name="requireSuperuser">
    /// Whether the user must be a superuser, as it must wherever tcdb creates databases and roles; false for
    /// one pre-made database that tests share and reset (no database or role is created then).
    /// </param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    public static async Task<ExternalServer> ConnectAsync(string urlOrConnectionString, bool requireSuperuser = true, CancellationToken cancellationToken = default)
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
            if (requireSuperuser)
            {
                await server.RequireSuperuserAsync(timeout.Token);
                await server.RemoveLeftoversAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ServerUnavailableException(
                $"cannot connect to PostgreSQL at {ConnectionStrings.Redact(normalized)}: {e.Message}", e);
        }

        return server;
    }

    public override async ValueTask DisposeAsync()
    {
        await ReleaseLeaseAsync();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Databases and roles of its own are created and dropped: only a superuser may do all of that.</summary>
    private async Task RequireSuperuserAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select current_user::text, rolsuper from pg_roles where rolname = current_user", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken) && !reader.GetBoolean(1))
        {
            throw new ServerUnavailableException(
                $"{ConnectionStrings.Redact(adminConnectionString)}: user {reader.GetString(0)} is not a superuser; tcdb creates and drops its own databases and roles there, so give the URL of a superuser (e.g. postgres)");
        }
    }
}
