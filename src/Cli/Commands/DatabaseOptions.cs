using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Cli.Commands;

/// <summary>
/// The options shared by <c>upgrade</c>, <c>downgrade</c> and <c>status</c>: the admin URL, the db directory and
/// the role prefix, each with its environment fallback, resolved into a loaded schema and a reachable database.
/// </summary>
internal sealed record DatabaseOptions(DbSchema Schema, string AdminConnectionString, RolePrefix RolePrefix)
{
    public const string AdminDbUrlVariable = "ADMIN_DB_URL";
    public const string RolePrefixVariable = "USERNAME_PREFIX";

    public static readonly string[] Names = ["admin-db-url", "db-dir", "role-prefix"];

    /// <summary>The options of the commands that change a database (upgrade, downgrade).</summary>
    public static readonly string[] ChangeNames = ["to", "lock-timeout", "statement-timeout", .. Names];

    public const string Help = """
          --admin-db-url URL   admin URL of the database (default: $ADMIN_DB_URL), e.g. postgresql://admin:pw@host:5432/db
          --db-dir DIR         the db directory (default: ./db), or a schema .json file
          --role-prefix P      the role prefix: service roles are <P>_<service>, [a-z_]+ (default: $USERNAME_PREFIX)
        """;

    public const string TimeoutHelp = """
          --lock-timeout T     a version whose transaction waits longer than T (e.g. 5s) for a lock another
                               session holds fails and is rolled back, naming the table and the blocking query
                               (default: wait, as the server's lock_timeout says)
          --statement-timeout T  a statement of a version's transaction running longer than T fails the version
                               (default: the server's statement_timeout)
        """;

    /// <summary>Resolves the options; throws <see cref="UsageException"/>, <see cref="DbDirectoryException"/> or <see cref="ServerUnavailableException"/>.</summary>
    public static async Task<DatabaseOptions> ResolveAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var connectionString = ResolveAdminUrl(args);
        var text = args.Get("role-prefix") ?? Environment.GetEnvironmentVariable(RolePrefixVariable);
        if (string.IsNullOrEmpty(text))
        {
            throw new UsageException($"no role prefix: pass --role-prefix or set ${RolePrefixVariable}");
        }

        RolePrefix prefix;
        try
        {
            prefix = RolePrefix.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter", 2)[0]);
        }

        var schema = DbDirectoryOption.Load(args);
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ServerUnavailableException($"cannot connect to {ConnectionStrings.Redact(connectionString)}: {e.Message}", e);
        }

        return new DatabaseOptions(schema, connectionString, prefix);
    }

    /// <summary>The connection string <c>--admin-db-url</c> (else <c>$ADMIN_DB_URL</c>) gives.</summary>
    /// <exception cref="UsageException">there is none, or it is malformed.</exception>
    public static string ResolveAdminUrl(CliArgs args)
    {
        var url = args.Get("admin-db-url") ?? Environment.GetEnvironmentVariable(AdminDbUrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new UsageException($"no database: pass --admin-db-url or set ${AdminDbUrlVariable}");
        }

        try
        {
            return ConnectionStrings.Normalize(url);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>A target version must exist in the db directory (0 is the empty database).</summary>
    public void CheckTarget(int? version)
    {
        if (version > Schema.LatestVersion)
        {
            throw new UsageException($"no such version {version}; latest known version is {Schema.LatestVersion}");
        }
    }

    public Migrator Migrator(CliContext context, bool verbose, CliArgs? timeouts = null) => new(Schema, AdminConnectionString, new MigratorOptions
    {
        RolePrefix = RolePrefix,
        LockTimeout = timeouts?.GetDuration("lock-timeout"),
        StatementTimeout = timeouts?.GetDuration("statement-timeout"),
        Progress = p =>
        {
            if (verbose || p.Stage != MigrationStage.Step)
            {
                context.Out.WriteLine(p.ToString());
            }
        },
    });

    /// <summary>Runs a command body, mapping user-caused failures to messages and exit codes.</summary>
    public static async Task<int> RunAsync(string command, CliContext context, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (MigrationException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            context.Error.WriteLine($"tcdb {command}: {e.Message}; {PrivilegeHint}");
            return ExitCodes.UnusableInput;
        }
        catch (MigrationException e)
        {
            var retry = e.SqlState is { } state && state != PostgresErrorCodes.QueryCanceled && (state.StartsWith("57", StringComparison.Ordinal) || state.StartsWith("08", StringComparison.Ordinal))
                ? $"; the interrupted transaction was rolled back: run tcdb {command} again once the server is back"
                : string.Empty;
            context.Error.WriteLine($"tcdb {command}: {e.Message}{retry}");
            return ExitCodes.Findings;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            context.Error.WriteLine($"tcdb {command}: the admin user may not do this: {e.MessageText} (SQLSTATE {e.SqlState}); {PrivilegeHint}");
            return ExitCodes.UnusableInput;
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("57", StringComparison.Ordinal) && !context.CancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine(
                $"tcdb {command}: the server ended the session: {e.MessageText} (SQLSTATE {e.SqlState}); the database is at a whole version: run tcdb {command} again once the server is back");
            return ExitCodes.UnusableInput;
        }
        catch (NpgsqlException e) when (e is not PostgresException && !context.CancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine(
                $"tcdb {command}: lost the connection to the server ({e.Message}); a version being applied was rolled back, so the database is at a whole version: run tcdb {command} again once the server is back");
            return ExitCodes.UnusableInput;
        }
    }

    private const string PrivilegeHint =
        "--admin-db-url must name the owner of the database's tables with the CREATEROLE attribute (or a superuser)";

    public static void PrintFindings(CliContext context, IReadOnlyList<CheckFinding> findings)
    {
        foreach (var finding in findings)
        {
            context.Out.WriteLine($"  {finding.Message}");
        }
    }
}
