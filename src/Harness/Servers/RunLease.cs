using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// The session that holds this run's lock on one server for as long as the run uses it (see <see cref="RunMark"/>).
/// Shared, so several server objects of one process (and so one run) never wait for each other.
/// </summary>
internal sealed class RunLease : IAsyncDisposable
{
    private readonly string connectionString;
    private readonly SemaphoreSlim gate = new(1, 1);
    private NpgsqlConnection? connection;

    public RunLease(string adminConnectionString)
    {
        // Its own session, outside every pool: clearing pools or dropping databases never closes it.
        connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false, ApplicationName = "tcdb run lease" }.ConnectionString;
    }

    /// <summary>Takes the lock unless this object's session still holds it (after a server restart it is taken again).</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (connection is { FullState: System.Data.ConnectionState.Open } && await AliveAsync(connection, cancellationToken))
            {
                return;
            }

            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("select pg_advisory_lock_shared($1, $2)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = RunMark.LockClass });
            command.Parameters.Add(new NpgsqlParameter { Value = RunMark.Current.Key });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A session the server lost (a restart) still looks open until it is used.</summary>
    private static async Task<bool> AliveAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
        }
    }
}
