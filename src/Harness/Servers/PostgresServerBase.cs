using System.Diagnostics;
using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// Database creation, cloning and dropping shared by every kind of server. Every database created carries this
/// run's <see cref="RunMark"/> comment, and the run holds its lock from the first creation until disposal.
/// </summary>
public abstract class PostgresServerBase : IPostgresServer
{
    /// <summary>
    /// Settings that trade durability for speed, for servers the harness starts and throws away. Autovacuum is off:
    /// a verification rewrites the same catalog rows thousands of times, and a background vacuum of them competes
    /// for the CPU and holds locks that a migration's DDL then waits on until the vacuum gives way (a second, by
    /// default). A test database lives minutes, pages are pruned as they are read, and what vacuum changes (dead row
    /// versions, planner statistics) is nothing tcdb records. JIT compilation is off: it costs tens of
    /// milliseconds per statement the planner thinks large, far more than it saves on test-sized data.
    /// </summary>
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
        "autovacuum=off",
        "jit=off",
    ];

    private static int counter;
    private readonly string runId = $"{Environment.ProcessId:x}{Random.Shared.Next(0x1000):x3}";
    private readonly List<string> notes = [];
    private RunLease? lease;

    public abstract string Description { get; }

    public int MajorVersion { get; protected set; }

    public string ServerVersion { get; protected set; } = string.Empty;

    public abstract string AdminConnectionString { get; }

    public IReadOnlyList<string> Notes => notes;

    /// <summary>What connecting found and dropped of runs that are gone (null when it did not look).</summary>
    public LeftoverCleanup? RemovedLeftovers { get; private set; }

    /// <summary>How PostgreSQL 15+ copies a template; PostgreSQL 11 always copies files.</summary>
    public CloneStrategy CloneStrategy { get; init; } = CloneStrategy.FileCopy;

    public async Task<ServerDatabase> CreateDatabaseAsync(string? templateName = null, CancellationToken cancellationToken = default)
    {
        var name = $"tcdb_{runId}_{Interlocked.Increment(ref counter)}";
        var sql = $"create database {Sql.Identifier(name)}";
        if (templateName is null)
        {
            sql += await FreshDatabaseOptionsAsync(cancellationToken);
        }
        else
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionStrings.WithDatabase(AdminConnectionString, templateName)));
            sql += $" template {Sql.Identifier(templateName)}";
            if (MajorVersion >= 15)
            {
                sql += CloneStrategy == CloneStrategy.FileCopy ? " strategy = file_copy" : " strategy = wal_log";
            }
        }

        lease ??= new RunLease(AdminConnectionString);
        await lease.EnsureAsync(cancellationToken);
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
                // Someone else (another process, a connection being closed) still uses the templateName.
                await Task.Delay(50, cancellationToken);
            }
        }

        await using (var comment = new NpgsqlCommand($"comment on database {Sql.Identifier(name)} is {RunMark.Current.CommentLiteral}", connection))
        {
            await comment.ExecuteNonQueryAsync(cancellationToken);
        }

        return new ServerDatabase(this, name, ConnectionStrings.WithDatabase(AdminConnectionString, name));
    }

    /// <summary>The locale tcdb's databases must sort by (Taskcluster's slugid ordering needs it).</summary>
    internal string RequiredLocale { get; set; } = LocaleCheck.Locale;

    private readonly SemaphoreSlim collationGate = new(1, 1);
    private string? freshDatabaseOptions;

    /// <summary>
    /// How a new, empty database gets a collation that sorts like en_US.UTF-8: nothing to add when the
    /// server's default (template1) already does; otherwise a copy of template0 with that locale, if the
    /// server has it. Decided once per server; a server that has neither is unusable.
    /// </summary>
    private async Task<string> FreshDatabaseOptionsAsync(CancellationToken cancellationToken)
    {
        await collationGate.WaitAsync(cancellationToken);
        try
        {
            if (freshDatabaseOptions is not null)
            {
                return freshDatabaseOptions;
            }

            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("select datcollate from pg_database where datname = 'template1'", connection);
            var collation = (string?)await command.ExecuteScalarAsync(cancellationToken) ?? "(unknown)";
            var probe = $"tcdb_{runId}_collation";
            foreach (var options in new[] { string.Empty, $" template template0 encoding 'UTF8' lc_collate '{RequiredLocale}' lc_ctype '{RequiredLocale}'" })
            {
                try
                {
                    await using (var create = new NpgsqlCommand($"create database {Sql.Identifier(probe)}{options}", connection))
                    {
                        await create.ExecuteNonQueryAsync(cancellationToken);
                    }
                }
                catch (PostgresException e) when (options.Length > 0)
                {
                    throw new ServerUnavailableException(
                        $"the server's default collation {collation} does not sort like {LocaleCheck.Locale} (0 < a < A < b < B, which Taskcluster's slugid ordering needs), " +
                        $"and a database with {RequiredLocale} cannot be created there: {e.MessageText}. Install the {LocaleCheck.Locale} locale on the server's machine, " +
                        $"or use a server whose template1 has it (initdb --locale={LocaleCheck.Locale})");
                }

                bool sorts;
                try
                {
                    await using var check = new NpgsqlConnection(ConnectionStrings.WithDatabase(AdminConnectionString, probe));
                    await check.OpenAsync(cancellationToken);
                    sorts = (await SortOrderAsync(check, cancellationToken)).SortsLikeEnUs;
                }
                finally
                {
                    NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionStrings.WithDatabase(AdminConnectionString, probe)));
                    await using var drop = new NpgsqlCommand($"drop database if exists {Sql.Identifier(probe)}", connection);
                    await drop.ExecuteNonQueryAsync(cancellationToken);
                }

                if (sorts)
                {
                    return freshDatabaseOptions = options;
                }
            }

            throw new ServerUnavailableException(
                $"neither the server's default collation {collation} nor {RequiredLocale} sorts like {LocaleCheck.Locale} (0 < a < A < b < B) on this server");
        }
        finally
        {
            collationGate.Release();
        }
    }

    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionStrings.WithDatabase(AdminConnectionString, name)));
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await DropDatabaseAsync(connection, name, cancellationToken);
    }

    /// <summary>Terminates the sessions of database <paramref name="name"/>, then drops it.</summary>
    internal static async Task DropDatabaseAsync(NpgsqlConnection admin, string name, CancellationToken cancellationToken)
    {
        await using (var terminate = new NpgsqlCommand(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", admin))
        {
            terminate.Parameters.Add(new NpgsqlParameter { Value = name });
            await terminate.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var drop = new NpgsqlCommand($"drop database if exists {Sql.Identifier(name)}", admin);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Drops what runs that are gone left on this server, and keeps a note of it in <see cref="Notes"/>.</summary>
    protected async Task RemoveLeftoversAsync(CancellationToken cancellationToken)
    {
        RemovedLeftovers = await Leftovers.RemoveAsync(AdminConnectionString, cancellationToken);
        notes.AddRange(RemovedLeftovers.Lines(ConnectionStrings.Redact(AdminConnectionString)));
    }

    /// <summary>Adds a line to <see cref="Notes"/>.</summary>
    protected void Note(string line) => notes.Add(line);

    /// <summary>Ends this run's lock on the server (call from <see cref="DisposeAsync"/>).</summary>
    protected async ValueTask ReleaseLeaseAsync()
    {
        if (lease is not null)
        {
            await lease.DisposeAsync();
            lease = null;
        }
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
        var (sorts, collation) = await SortOrderAsync(connection, cancellationToken);
        return sorts ? null : collation;
    }

    /// <summary>Whether the connection's database sorts 0 &lt; a &lt; A &lt; b &lt; B with its default collation, and that collation.</summary>
    private static async Task<(bool SortsLikeEnUs, string Collation)> SortOrderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select $1::text < $2::text and $2::text < $3::text and $3::text < $4::text and $4::text < $5::text, current_setting('lc_collate')", connection);
        foreach (var value in new[] { "0", "a", "A", "b", "B" })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetBoolean(0), reader.GetString(1));
    }
}

/// <summary>How <c>create database ... template</c> copies data on PostgreSQL 15 and newer.</summary>
public enum CloneStrategy
{
    /// <summary>Copy the template's files and checkpoint (the only strategy before PostgreSQL 15).</summary>
    FileCopy,

    /// <summary>Copy block by block through the WAL (the default of PostgreSQL 15).</summary>
    WalLog,
}
