using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Respawn;
using Respawn.Graph;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// One database for every <see cref="FunctionTest"/> of a run and db directory, for servers where databases may
/// not be created: upgraded once to the latest version, analysed once by Respawn (every table but
/// <c>tcversion</c>), and emptied by Respawn before each test (rows deleted, sequences restarted).
/// </summary>
/// <remarks>
/// On an external server (<c>TEST_DB_URL</c>) the database is the one the URL names, and it is kept: its service
/// roles are <c>tcdb_&lt;letters derived from the database name&gt;_&lt;service&gt;</c>, the same in every run, so
/// the grants a previous run left stay valid and a later run upgrades it further. On a server the harness
/// started, the database is created for the run and dropped with its roles at the end.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "one instance per server and db directory lives as long as the test run; its semaphore holds no unmanaged resource")]
public sealed class RespawnedDatabase
{
    private static readonly Dictionary<(IPostgresServer, DbSchema), Task<RespawnedDatabase>> Instances = [];
    private static readonly Lock InstancesGate = new();

    private readonly Respawner respawner;
    private readonly SemaphoreSlim inUse = new(1, 1);

    private RespawnedDatabase(TestDatabase database, string usersPrefix, Respawner respawner)
    {
        Database = database;
        UsersPrefix = usersPrefix;
        this.respawner = respawner;
    }

    /// <summary>The shared database (never dropped by a test).</summary>
    public TestDatabase Database { get; }

    /// <summary>Service-role prefix of the database.</summary>
    public string UsersPrefix { get; }

    /// <summary>The run's shared database of <paramref name="schema"/> on <paramref name="server"/>, prepared on first use.</summary>
    public static Task<RespawnedDatabase> ForAsync(IPostgresServer server, DbSchema schema)
    {
        lock (InstancesGate)
        {
            if (!Instances.TryGetValue((server, schema), out var instance) || instance.IsFaulted || instance.IsCanceled)
            {
                Instances[(server, schema)] = instance = CreateAsync(server, schema);
            }

            return instance;
        }
    }

    /// <summary>Empties every table but <c>tcversion</c> and restarts the sequences.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await respawner.ResetAsync(connection);
    }

    /// <summary>
    /// Waits until no other test uses the database, then resets it for the caller, who must call
    /// <see cref="Release"/> when done: tests sharing one database cannot run side by side.
    /// </summary>
    public async Task AcquireAsync(CancellationToken cancellationToken = default)
    {
        await inUse.WaitAsync(cancellationToken);
        try
        {
            await ResetAsync(cancellationToken);
        }
        catch
        {
            inUse.Release();
            throw;
        }
    }

    /// <summary>Lets the next test use the database.</summary>
    public void Release() => inUse.Release();

    /// <summary>The stable users prefix of a kept database: <c>tcdb_</c> and eight letters derived from its name.</summary>
    internal static string PrefixFor(string databaseName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(databaseName));
        return "tcdb_" + new string([.. hash.Take(8).Select(b => (char)('a' + (b % 26)))]);
    }

    private static async Task<RespawnedDatabase> CreateAsync(IPostgresServer server, DbSchema schema)
    {
        TestDatabase database;
        string prefix;
        if (server is ExternalServer external)
        {
            database = external.ConfiguredDatabase;
            prefix = PrefixFor(database.Name);
        }
        else
        {
            // The templates' cleanup drops the roles of their prefix; it must run after this database is dropped,
            // and cleanups run last-registered first.
            prefix = VersionTemplates.For(server, schema).UsersPrefix;
            database = await server.CreateDatabaseAsync();
            var created = database;
            TestServer.RegisterCleanup(async () => await created.DisposeAsync());
        }

        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("create extension if not exists pgcrypto", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using (var migrator = new Migrator(schema, database.ConnectionString, ServiceLogins.MigratorOptions(prefix)))
        {
            var result = await migrator.UpgradeAsync();
            if (result.Findings.Count > 0)
            {
                throw new InvalidOperationException(
                    $"the upgrade of {database.Name} to version {result.ToVersion} left drift tests cannot trust:" +
                    string.Concat(result.Findings.Select(f => Environment.NewLine + "  " + f.Message)));
            }
        }

        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            var respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
            {
                DbAdapter = DbAdapter.Postgres,
                TablesToIgnore = [new Table("public", "tcversion")],
                WithReseed = true,
            });
            return new RespawnedDatabase(database, prefix, respawner);
        }
    }
}
