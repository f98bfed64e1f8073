using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// A database on an <see cref="IPostgresServer"/>; disposing it drops it when the harness created it (a database
/// it was only given, like <see cref="ExternalServer.ConfiguredDatabase"/>, is kept).
/// </summary>
public sealed class ServerDatabase : IAsyncDisposable
{
    private readonly IPostgresServer server;
    private bool dropped;

    internal ServerDatabase(IPostgresServer server, string name, string connectionString, bool owned = true)
    {
        this.server = server;
        Name = name;
        ConnectionString = connectionString;
        dropped = !owned;
    }

    public string Name { get; }

    /// <summary>Admin connection string to this database.</summary>
    public string ConnectionString { get; }

    public IPostgresServer Server => server;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Creates a copy of this database (it must have no open connections; pooled ones are released).</summary>
    public Task<ServerDatabase> CloneAsync(CancellationToken cancellationToken = default) =>
        server.CreateDatabaseAsync(Name, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (dropped)
        {
            return;
        }

        dropped = true;
        await server.DropDatabaseAsync(Name);
    }
}
