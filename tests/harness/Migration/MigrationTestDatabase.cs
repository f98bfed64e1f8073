using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Migration;

/// <summary>
/// A fresh database of the run's server plus a role prefix of its own (roles are cluster-wide);
/// disposing drops the database and then every role with the prefix.
/// </summary>
internal sealed class MigrationTestDatabase : IAsyncDisposable
{
    private MigrationTestDatabase(IPostgresServer server, ServerDatabase database, RolePrefix rolePrefix)
    {
        Server = server;
        Database = database;
        RolePrefix = rolePrefix;
    }

    public IPostgresServer Server { get; }

    public ServerDatabase Database { get; }

    public RolePrefix RolePrefix { get; }

    /// <summary>The role prefix as text, e.g. <c>t_abcdefgh</c>; a service's role is this, <c>_</c> and the service.</summary>
    public string Prefix => RolePrefix.Value;

    public string ConnectionString => Database.ConnectionString;

    public List<MigrationProgress> Progress { get; } = [];

    public static async Task<MigrationTestDatabase> CreateAsync()
    {
        var server = await TestServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        return new MigrationTestDatabase(server, database, RolePrefix.Random("t"));
    }

    public MigratorOptions Options(Func<MigratorOptions, MigratorOptions>? adjust = null)
    {
        var options = new MigratorOptions { RolePrefix = RolePrefix, Progress = p => { lock (Progress) { Progress.Add(p); } } };
        return adjust is null ? options : adjust(options);
    }

    public Migrator Migrator(DbSchema schema, Func<MigratorOptions, MigratorOptions>? adjust = null, string? connectionString = null) =>
        new(schema, connectionString ?? ConnectionString, Options(adjust));

    /// <summary>A connection string of this database logged in as a service role (trust authentication).</summary>
    public string ServiceConnectionString(string service) => ConnectionStrings.WithUser(ConnectionString, $"{Prefix}_{service}", null);

    public Task<T?> ScalarAsync<T>(string sql, params object?[] values) => Database.ScalarAsync<T>(sql, values);

    /// <summary>The first column of every row as text (<c>&lt;null&gt;</c> for SQL null).</summary>
    public async Task<List<string>> StringsAsync(string sql, params object?[] values) =>
        [.. (await Database.QueryAsync(sql, values)).Select(row => row.Values.First()?.ToString() ?? "<null>")];

    public Task ExecuteAsync(string sql) => Database.ExecuteAsync(sql);

    /// <summary>Functions in schema public that do not belong to an extension (pgcrypto), by name.</summary>
    public Task<List<string>> FunctionsAsync() => StringsAsync(
        """
        select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public'
          and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        order by p.proname
        """);

    public Task<List<string>> TablesAsync() =>
        StringsAsync("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by c.relname");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Database.DisposeAsync();
        await using var connection = new NpgsqlConnection(Server.AdminConnectionString);
        await connection.OpenAsync();
        Assert.That(await ServiceRoles.DropRolesAsync(connection, RolePrefix), Is.Empty, "every role of the prefix is dropped");
    }
}
