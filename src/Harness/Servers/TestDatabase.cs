using Npgsql;

namespace Tcdb.Servers;

/// <summary>A database created by an <see cref="IPostgresServer"/>; disposing it drops it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly IPostgresServer server;
    private bool dropped;

    internal TestDatabase(IPostgresServer server, string name, string connectionString)
    {
        this.server = server;
        Name = name;
        ConnectionString = connectionString;
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
    public Task<TestDatabase> CloneAsync(CancellationToken cancellationToken = default) =>
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
