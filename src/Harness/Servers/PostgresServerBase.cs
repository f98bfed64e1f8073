using System.Diagnostics;
using Npgsql;

namespace Tcdb.Servers;

/// <summary>Database creation, cloning and dropping shared by every kind of server.</summary>
public abstract class PostgresServerBase : IPostgresServer
{
    /// <summary>Settings that trade durability for speed, for servers the harness starts and throws away.</summary>
    protected static readonly string[] TestServerSettings =
    [
        "fsync=off",
        "synchronous_commit=off",
        "full_page_writes=off",
        "wal_level=minimal",
        "max_wal_senders=0",
        "max_wal_size=2GB",
        "checkpoint_timeout=30min",
        "max_connections=300",
        "shared_buffers=256MB",
    ];

    private static int counter;
    private readonly string runId = $"{Environment.ProcessId:x}{Random.Shared.Next(0x1000):x3}";

    public abstract string Description { get; }

    public int MajorVersion { get; protected set; }

    public string ServerVersion { get; protected set; } = string.Empty;

    public abstract string AdminConnectionString { get; }

    /// <summary>How PostgreSQL 15+ copies a template; PostgreSQL 11 always copies files.</summary>
    public CloneStrategy CloneStrategy { get; init; } = CloneStrategy.FileCopy;

    public async Task<TestDatabase> CreateDatabaseAsync(string? template = null, CancellationToken cancellationToken = default)
    {
        var name = $"tcdb_{runId}_{Interlocked.Increment(ref counter)}";
        var sql = $"create database {Quote(name)}";
        if (template is not null)
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionStrings.WithDatabase(AdminConnectionString, template)));
            sql += $" template {Quote(template)}";
            if (MajorVersion >= 15)
            {
                sql += CloneStrategy == CloneStrategy.FileCopy ? " strategy = file_copy" : " strategy = wal_log";
            }
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
            {
                // Someone else (another process, a connection being closed) still uses the template.
                await Task.Delay(50, cancellationToken);
            }
        }

        return new TestDatabase(this, name, ConnectionStrings.WithDatabase(AdminConnectionString, name));
    }

    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionStrings.WithDatabase(AdminConnectionString, name)));
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var terminate = new NpgsqlCommand(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", connection))
        {
            terminate.Parameters.Add(new NpgsqlParameter { Value = name });
            await terminate.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var drop = new NpgsqlCommand($"drop database if exists {Quote(name)}", connection);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Reads the server version once connected.</summary>
    protected async Task ReadServerVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select current_setting('server_version_num')::int, current_setting('server_version')", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        MajorVersion = reader.GetInt32(0) / 10000;
        ServerVersion = reader.GetString(1);
    }

    /// <summary>
    /// Null when the default collation sorts like en_US.UTF-8 (0 &lt; a &lt; A &lt; b), as Taskcluster's queries
    /// expect; otherwise the collation's name.
    /// </summary>
    protected async Task<string?> DefaultCollationMismatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select $1::text < $2::text and $2::text < $3::text and $3::text < $4::text, current_setting('lc_collate')", connection);
        foreach (var value in new[] { "0", "a", "A", "b" })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetBoolean(0) ? null : reader.GetString(1);
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}

/// <summary>How <c>create database ... template</c> copies data on PostgreSQL 15 and newer.</summary>
public enum CloneStrategy
{
    /// <summary>Copy the template's files and checkpoint (the only strategy before PostgreSQL 15).</summary>
    FileCopy,

    /// <summary>Copy block by block through the WAL (the default of PostgreSQL 15).</summary>
    WalLog,
}
