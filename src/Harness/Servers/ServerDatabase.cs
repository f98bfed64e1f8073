using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// A database on an <see cref="IPostgresServer"/>; disposing it drops it when the harness created it (a database
/// it was only given, like <see cref="ExternalServer.ConfiguredDatabase"/>, is kept).
/// </summary>
public sealed class ServerDatabase : IAsyncDisposable
{
    private readonly IPostgresServer server;
    private int dropped;

    internal ServerDatabase(IPostgresServer server, string name, string connectionString, bool owned = true)
    {
        this.server = server;
        Name = name;
        ConnectionString = connectionString;
        dropped = owned ? 0 : 1;
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

    /// <summary>Runs a statement on an admin connection; <c>$1</c>, <c>$2</c>... are bound to <paramref name="args"/>. Returns the rows it affected.</summary>
    public async Task<int> ExecuteAsync(string sql, params object?[] args)
    {
        await using var connection = await OpenAsync();
        return await Sql.ExecuteAsync(connection, sql, CancellationToken.None, args);
    }

    /// <summary>
    /// The first column of the first row on an admin connection: default for SQL null or no row, the value itself
    /// when it is a <typeparamref name="T"/>, else the value converted to <typeparamref name="T"/> (invariant culture).
    /// </summary>
    public async Task<T?> ScalarAsync<T>(string sql, params object?[] args)
    {
        await using var connection = await OpenAsync();
        return await Sql.ScalarAsync<T>(connection, sql, CancellationToken.None, args);
    }

    /// <summary>Every row as column name to value (null for SQL null), on an admin connection.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, params object?[] args)
    {
        await using var connection = await OpenAsync();
        return await Sql.RowsAsync(connection, sql, CancellationToken.None, args);
    }

    /// <summary>Creates a copy of this database (it must have no open connections; pooled ones are released).</summary>
    public Task<ServerDatabase> CloneAsync(CancellationToken cancellationToken = default) =>
        server.CreateDatabaseAsync(Name, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref dropped, 1) == 1)
        {
            return;
        }

        await server.DropDatabaseAsync(Name);
    }
}
