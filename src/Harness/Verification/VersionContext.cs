using Npgsql;
using Tcdb.Client;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Verification;

/// <summary>
/// What a version's hooks work with: the database under test (admin connection), the version, and
/// function clients connected as each service's role.
/// </summary>
public sealed class VersionContext
{
    internal VersionContext(DbSchema schema, int version, string connectionString, RolePrefix rolePrefix)
    {
        Schema = schema;
        Version = version;
        ConnectionString = connectionString;
        RolePrefix = rolePrefix;
    }

    public DbSchema Schema { get; }

    /// <summary>The version under test (N).</summary>
    public int Version { get; }

    /// <summary>Admin connection string of the database under test.</summary>
    public string ConnectionString { get; }

    /// <summary>The role prefix of this database's service roles: <c>RolePrefix.RoleFor("queue")</c> is the role of service queue.</summary>
    public RolePrefix RolePrefix { get; }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Runs SQL (no parameters; may hold several statements).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, sql, cancellationToken);
    }

    /// <summary>The first column of the first row, converted to <typeparamref name="T"/> (default for SQL null or no row).</summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await Sql.ScalarAsync<T>(connection, sql, cancellationToken))!;
    }

    /// <summary>Every row as column name to value (null for SQL null).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Sql.RowsAsync(connection, sql, cancellationToken);
    }

    /// <summary>
    /// A function client for <paramref name="service"/>, connected as its role so access.yml's grants apply.
    /// It accepts a database older than the schema (the database is at N-1 or N, the schema at latest).
    /// </summary>
    public async Task<FunctionClient> ClientAsync(string service, CancellationToken cancellationToken = default)
    {
        var asService = Migration.ServicePassword.ConnectionString(ConnectionString, RolePrefix, service);
        return await FunctionClient.CreateAsync(Schema, service, asService, asService, new FunctionClientOptions { AllowOlderDatabase = true }, cancellationToken);
    }
}
