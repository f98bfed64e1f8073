using Npgsql;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Snapshots;

/// <summary>A fresh database plus uniquely prefixed service roles, both removed on dispose.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly List<string> roles = [];

    private ScratchDatabase(ServerDatabase database, NpgsqlConnection connection, RolePrefix rolePrefix)
    {
        Database = database;
        Connection = connection;
        RolePrefix = rolePrefix;
    }

    public ServerDatabase Database { get; }

    public NpgsqlConnection Connection { get; }

    /// <summary>The role prefix of this database's roles.</summary>
    public RolePrefix RolePrefix { get; }

    /// <summary>How this database's role names start, e.g. <c>tcdbsnap_abcdefgh_</c>.</summary>
    public string RoleNameStart => RolePrefix.RoleNameStart;

    public static async Task<ScratchDatabase> CreateAsync()
    {
        var server = await TestServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        var connection = await database.OpenAsync();
        return new ScratchDatabase(database, connection, RolePrefix.Random("tcdbsnap"));
    }

    /// <summary>Creates a login role named prefix + suffix (dropped on dispose) and returns its name.</summary>
    public async Task<string> CreateRoleAsync(string suffix)
    {
        var name = RoleNameStart + suffix;
        await ExecuteAsync($"create role {name} login");
        roles.Add(name);
        return name;
    }

    public Task ExecuteAsync(string sql) => Database.ExecuteAsync(sql);

    public async Task<T> ScalarAsync<T>(string sql) => (await Database.ScalarAsync<T>(sql))!;

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Database.DisposeAsync();
        if (roles.Count > 0)
        {
            var server = await TestServer.GetAsync();
            await using var admin = new NpgsqlConnection(server.AdminConnectionString);
            await admin.OpenAsync();
            foreach (var role in roles)
            {
                await using var drop = new NpgsqlCommand($"drop role if exists {role}", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }
}
