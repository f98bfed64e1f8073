using Npgsql;
using Respawn;
using Respawn.Graph;
using Tcdb.Migration;
using Tcdb.Runs;
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

    private RespawnedDatabase(ServerDatabase database, RolePrefix rolePrefix, Respawner respawner)
    {
        Database = database;
        RolePrefix = rolePrefix;
        this.respawner = respawner;
    }

    /// <summary>The shared database (never dropped by a test).</summary>
    public ServerDatabase Database { get; }

    /// <summary>The role prefix of the database's service roles.</summary>
    public RolePrefix RolePrefix { get; }

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

    /// <summary>The stable role prefix of a kept database: <c>tcdb_</c> and eight letters derived from its name.</summary>
    internal static RolePrefix PrefixFor(string databaseName) => RolePrefix.Derived("tcdb", databaseName);

    private static async Task<RespawnedDatabase> CreateAsync(IPostgresServer server, DbSchema schema)
    {
        ServerDatabase database;
        RolePrefix prefix;
        if (server is ExternalServer external)
        {
            database = external.ConfiguredDatabase;
            prefix = PrefixFor(database.Name);
            await RunScope.AddRequiredExtensionsAsync(database);
        }
        else
        {
            // The templates' run scope drops this database, then the roles of its prefix.
            var scope = VersionTemplates.For(server, schema).Scope;
            prefix = scope.RolePrefix;
            database = await scope.CreateDatabaseAsync();
        }

        await using (var migrator = new Migrator(schema, database.ConnectionString, MigratorOptions.ForRun(prefix)))
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
