using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Runs;

/// <summary>
/// What one run creates on a server and removes at its end: databases (created with the extensions every
/// db directory needs, or cloned from one another) and the service roles of one role prefix of its own.
/// Disposing drops every database the scope made (a few at a time), then every role of its prefix; a role that a
/// database outside the scope still references stays, and <see cref="Report"/> says so.
/// </summary>
public sealed class RunScope : IAsyncDisposable
{
    /// <summary>The extensions a fresh database gets before any version runs (Taskcluster's versions assume them).</summary>
    public static readonly IReadOnlyList<string> RequiredExtensions = ["pgcrypto"];

    /// <summary>Drops that run at a time: in the background (<see cref="DropSoonAsync"/>), and at disposal.</summary>
    public const int ParallelDrops = 4;

    private readonly ConcurrentBag<ServerDatabase> databases = [];
    private readonly ConcurrentQueue<Task> drops = new();
    private readonly SemaphoreSlim dropSlots = new(ParallelDrops, ParallelDrops);
    private int disposed;

    /// <param name="server">Where the databases and roles are created.</param>
    /// <param name="prefix">The role prefix of the run; no other run may use it (<see cref="RolePrefix.Random"/>).</param>
    /// <param name="report">Receives a line for each role that could not be dropped.</param>
    public RunScope(IPostgresServer server, RolePrefix prefix, Action<string>? report = null)
    {
        Server = server;
        RolePrefix = prefix;
        Report = report;
    }

    public IPostgresServer Server { get; }

    /// <summary>The role prefix of every database of the scope.</summary>
    public RolePrefix RolePrefix { get; }

    /// <summary>Where the lines about roles left behind go.</summary>
    public Action<string>? Report { get; }

    /// <summary>A new empty database with <see cref="RequiredExtensions"/>, dropped with the scope.</summary>
    public async Task<ServerDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var database = Track(await Server.CreateDatabaseAsync(cancellationToken: cancellationToken));
        await AddRequiredExtensionsAsync(database, cancellationToken);
        return database;
    }

    /// <summary>A copy of <paramref name="template"/> (nobody may be connected to it), dropped with the scope.</summary>
    public async Task<ServerDatabase> CloneAsync(ServerDatabase template, CancellationToken cancellationToken = default) =>
        Track(await template.CloneAsync(cancellationToken));

    /// <summary>
    /// Drops <paramref name="database"/>, which nobody uses any more, without the caller waiting for it (a drop
    /// waits for a checkpoint): it waits only while <see cref="ParallelDrops"/> drops are running. Disposal waits
    /// for every drop; one that failed fails the disposal once the rest is cleaned up.
    /// </summary>
    public async Task DropSoonAsync(ServerDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (Volatile.Read(ref disposed) == 1)
        {
            await database.DisposeAsync();
            return;
        }

        await dropSlots.WaitAsync();
        drops.Enqueue(Task.Run(async () =>
        {
            try
            {
                await database.DisposeAsync();
            }
            finally
            {
                dropSlots.Release();
            }
        }));
    }

    /// <summary>Options of a migrator on the scope's databases (see <see cref="MigratorOptions.ForRun"/>).</summary>
    public MigratorOptions MigratorOptions(OnlineMigrationHooks? online = null) => Migration.MigratorOptions.ForRun(RolePrefix, online);

    /// <summary>The connection string of <paramref name="database"/> logged in as the service role of <paramref name="service"/>.</summary>
    public string ServiceConnectionString(ServerDatabase database, string service) =>
        ServicePassword.ConnectionString(database.ConnectionString, RolePrefix, service);

    /// <summary>Creates <see cref="RequiredExtensions"/> in <paramref name="database"/> where they are missing.</summary>
    public static async Task AddRequiredExtensionsAsync(ServerDatabase database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var extension in RequiredExtensions)
        {
            await Sql.ExecuteAsync(connection, "create extension if not exists " + Sql.Identifier(extension), cancellationToken);
        }
    }

    /// <summary>Drops the scope's databases, then its service roles (once; later calls do nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        Exception? failedDrop = null;
        foreach (var drop in drops)
        {
            try
            {
                await drop;
            }
            catch (Exception e)
            {
                failedDrop ??= e;
            }
        }

        // A database dropped in the background is not dropped again.
        await Parallel.ForEachAsync(databases, new ParallelOptions { MaxDegreeOfParallelism = ParallelDrops }, async (database, _) => await database.DisposeAsync());
        dropSlots.Dispose();

        await using (var connection = new NpgsqlConnection(Server.AdminConnectionString))
        {
            await connection.OpenAsync();
            foreach (var role in await ServiceRoles.DropRolesAsync(connection, RolePrefix))
            {
                Report?.Invoke($"tcdb: role {role.Role} not dropped: {role.Reason}");
            }
        }

        if (failedDrop is not null)
        {
            ExceptionDispatchInfo.Throw(failedDrop);
        }
    }

    private ServerDatabase Track(ServerDatabase database)
    {
        databases.Add(database);
        return database;
    }
}
