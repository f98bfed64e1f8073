using System.Diagnostics;
using Npgsql;
using Tcdb.Schema;

namespace Tcdb.Migration;

/// <summary>What an upgrade did, and the drift found when it ended at the latest version.</summary>
/// <param name="FromVersion">The database version before.</param>
/// <param name="ToVersion">The database version after.</param>
/// <param name="Findings">Grant and column drift; checked only when the upgrade ended at the latest version.</param>
/// <param name="Checked">Whether the post-upgrade checks ran.</param>
public sealed record UpgradeResult(int FromVersion, int ToVersion, IReadOnlyList<CheckFinding> Findings, bool Checked);

/// <summary>
/// Upgrades and downgrades a database with Taskcluster's semantics: one transaction per
/// version guarded by the tcversion row lock, scripts as DO blocks with the users prefix substituted,
/// method (re)definition and restoration, online migrations and downgrades, service roles and the
/// post-upgrade grant and column checks.
/// </summary>
public sealed class Migrator : IAsyncDisposable
{
    private readonly DbSchema schema;
    private readonly MigratorOptions options;
    private readonly NpgsqlDataSource dataSource;
    private readonly string? adminPassword;
    private readonly OnlineMigrationRunner online;

    /// <param name="schema">The db directory.</param>
    /// <param name="adminConnectionString">An Npgsql connection string with full rights on the database.</param>
    /// <param name="options">Users prefix and the other settings.</param>
    public Migrator(DbSchema schema, string adminConnectionString, MigratorOptions options)
    {
        UsersPrefix.Validate(options.UsersPrefix);
        this.schema = schema;
        this.options = options;
        adminPassword = new NpgsqlConnectionStringBuilder(adminConnectionString).Password;
        dataSource = Sql.DataSource(adminConnectionString);
        online = new OnlineMigrationRunner(options);
    }

    /// <summary>The version recorded in tcversion (0 for an empty database).</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await VersionTable.ReadAsync(connection, cancellationToken);
    }

    /// <summary>
    /// Upgrades to <paramref name="toVersion"/> (default: latest). Finishes the current version's online
    /// migration first; never downgrades. Ends with the service-role grants and, when the target is the
    /// latest version, the post-upgrade checks, whose findings are returned (not thrown).
    /// </summary>
    /// <exception cref="MigrationException">a step failed; the failing version was rolled back.</exception>
    public async Task<UpgradeResult> UpgradeAsync(int? toVersion = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await PreFlight.RunAsync(connection, options.AcceptedMajorVersions, cancellationToken);
        var from = await VersionTable.ReadAsync(connection, cancellationToken);
        var latest = schema.LatestVersion;
        var stopAt = toVersion ?? latest;
        if (stopAt > latest || stopAt < 0)
        {
            throw new MigrationException($"no such version {stopAt}; latest known version is {latest}");
        }

        if (from > latest)
        {
            throw new MigrationException($"the database is at version {from}, newer than the latest version {latest} of the db directory; use a newer db directory");
        }

        await EnsureServiceUsersAsync(connection, cancellationToken);
        if (from >= 1)
        {
            var current = schema.GetVersion(from);
            await online.RunAsync(connection, current, OnlineKind.Migration, cancellationToken);
            await OnlineMigrationRunner.DropFunctionsAsync(connection, current, OnlineKind.Migration, cancellationToken);
        }

        for (var v = from + 1; v <= stopAt; v++)
        {
            var version = schema.GetVersion(v);
            var clock = Stopwatch.StartNew();
            Report(MigrationStage.VersionStarted, v, $"upgrading database to version {v}");
            await OnlineMigrationRunner.DropFunctionsAsync(connection, version, OnlineKind.Migration, cancellationToken);
            await ApplyAsync(connection, version, cancellationToken);
            // Leftovers of an aborted online downgrade of this version mean nothing once it is applied again.
            await OnlineMigrationRunner.DropFunctionsAsync(connection, version, OnlineKind.Downgrade, cancellationToken);
            await online.RunAsync(connection, version, OnlineKind.Migration, cancellationToken);
            await OnlineMigrationRunner.DropFunctionsAsync(connection, version, OnlineKind.Migration, cancellationToken);
            Report(MigrationStage.VersionCompleted, v, $"upgrade to version {v} successful", clock.Elapsed);
        }

        Report(MigrationStage.Info, null, "...updating users");
        await ServiceUsers.GrantBasicsAsync(connection, schema, options.UsersPrefix, cancellationToken);
        var to = await VersionTable.ReadAsync(connection, cancellationToken);
        if (stopAt != latest)
        {
            return new UpgradeResult(from, to, [], Checked: false);
        }

        var findings = await PostUpgradeChecksAsync(connection, cancellationToken);
        return new UpgradeResult(from, to, findings, Checked: true);
    }

    /// <summary>
    /// Downgrades to <paramref name="toVersion"/>: finishes a pending online downgrade of the version above the
    /// current one, then reverts each version down to the target. No checks afterwards (access.yml and
    /// tables.yml describe the latest version). Returns the version before.
    /// </summary>
    /// <exception cref="MigrationException">a step failed; the failing version was rolled back.</exception>
    public async Task<int> DowngradeAsync(int toVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await PreFlight.RunAsync(connection, options.AcceptedMajorVersions, cancellationToken);
        var latest = schema.LatestVersion;
        if (toVersion < 0 || toVersion > latest)
        {
            throw new MigrationException($"no such version {toVersion}; latest known version is {latest}");
        }

        var from = await VersionTable.ReadAsync(connection, cancellationToken);
        if (from > latest)
        {
            throw new MigrationException($"the db directory is too old to downgrade from DB version {from}: its latest version is {latest}");
        }

        if (from < toVersion)
        {
            Report(MigrationStage.Info, null, $"No database downgrades required; now at DB version {from}");
            return from;
        }

        await EnsureServiceUsersAsync(connection, cancellationToken);
        if (from + 1 <= latest)
        {
            var above = schema.GetVersion(from + 1);
            await online.RunAsync(connection, above, OnlineKind.Downgrade, cancellationToken);
            await OnlineMigrationRunner.DropFunctionsAsync(connection, above, OnlineKind.Downgrade, cancellationToken);
        }

        for (var v = from; v > toVersion; v--)
        {
            var version = schema.GetVersion(v);
            var clock = Stopwatch.StartNew();
            Report(MigrationStage.VersionStarted, v, $"downgrading database from version {v} to version {v - 1}");
            await OnlineMigrationRunner.DropFunctionsAsync(connection, version, OnlineKind.Downgrade, cancellationToken);
            await RevertAsync(connection, version, cancellationToken);
            // Leftovers of an aborted online migration of this version mean nothing once it is reverted.
            await OnlineMigrationRunner.DropFunctionsAsync(connection, version, OnlineKind.Migration, cancellationToken);
            await online.RunAsync(connection, version, OnlineKind.Downgrade, cancellationToken);
            await OnlineMigrationRunner.DropFunctionsAsync(connection, version, OnlineKind.Downgrade, cancellationToken);
            Report(MigrationStage.VersionCompleted, v - 1, $"downgrade to version {v - 1} successful", clock.Elapsed);
        }

        return from;
    }

    /// <summary>Creates the missing service roles of access.yml (and sets derived passwords).</summary>
    public async Task EnsureServiceUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await EnsureServiceUsersAsync(connection, cancellationToken);
    }

    /// <summary>Grant, role and column drift against access.yml and tables.yml (meaningful at the latest version).</summary>
    public async Task<IReadOnlyList<CheckFinding>> PostUpgradeChecksAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await PostUpgradeChecksAsync(connection, cancellationToken);
    }

    /// <summary>
    /// The online migration (of the current version) or online downgrade (of the version above) that an
    /// interrupted run left unfinished, if its batch function exists.
    /// </summary>
    public async Task<string?> UnfinishedOnlineStepAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var current = await VersionTable.ReadAsync(connection, cancellationToken);
        var candidates = new List<(DbVersion Version, OnlineKind Kind)>();
        if (current >= 1 && current <= schema.LatestVersion)
        {
            candidates.Add((schema.GetVersion(current), OnlineKind.Migration));
        }

        if (current + 1 <= schema.LatestVersion)
        {
            candidates.Add((schema.GetVersion(current + 1), OnlineKind.Downgrade));
        }

        foreach (var (version, kind) in candidates)
        {
            var (batch, _) = OnlineMigrationRunner.FunctionNames(version, kind);
            var exists = await Sql.ScalarAsync<bool>(
                connection, "select to_regprocedure($1) is not null", cancellationToken, $"public.{SqlText.QuoteIdentifier(batch)}(integer, jsonb)");
            if (exists)
            {
                return $"online {(kind == OnlineKind.Migration ? "migration" : "downgrade")} of version {version.Number} is unfinished ({batch} exists); " +
                    $"run {(kind == OnlineKind.Migration ? "upgrade" : "downgrade")} again to finish it";
            }
        }

        return null;
    }

    /// <summary>Closes the idle pooled connections, e.g. so that the database can serve as a template.</summary>
    public void ReleaseIdleConnections() => dataSource.Clear();

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private async Task EnsureServiceUsersAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await ServiceUsers.EnsureRolesAsync(connection, schema, options, adminPassword, m => Report(MigrationStage.Info, null, m), cancellationToken);

    private async Task<IReadOnlyList<CheckFinding>> PostUpgradeChecksAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        Report(MigrationStage.Info, null, "...checking permissions");
        var findings = new List<CheckFinding>(await PostUpgradeChecks.CheckGrantsAsync(connection, schema, options.UsersPrefix, cancellationToken));
        Report(MigrationStage.Info, null, "...checking table columns");
        findings.AddRange(await PostUpgradeChecks.CheckColumnsAsync(connection, schema, cancellationToken));
        return findings;
    }

    /// <summary>
    /// Runs one version's transaction under the lock and statement timeouts. A timeout rolls the version back and
    /// fails it with the lock it waited for and the session holding it.
    /// </summary>
    private async Task InVersionTransactionAsync(NpgsqlConnection connection, int version, string operation, int staysAt, Func<Task> body, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (options.LockTimeout is null && options.StatementTimeout is null)
        {
            await body();
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        foreach (var (setting, value) in new[] { ("lock_timeout", options.LockTimeout), ("statement_timeout", options.StatementTimeout) })
        {
            if (value is { } timeout)
            {
                await Sql.ExecuteAsync(connection, "select set_config($1, $2, true)", cancellationToken, setting, Milliseconds(timeout));
            }
        }

        var shortest = new[] { options.LockTimeout, options.StatementTimeout }.OfType<TimeSpan>().Min();
        var watch = LockWatch.Start(dataSource, connection.ProcessID, TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 50, 1000)));
        try
        {
            await body();
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (TimeoutFailure(e, version, operation) is { } failure)
        {
            var blocker = watch.Blocker is { } b ? $"; it waited for {b}" : string.Empty;
            throw failure.With($"{blocker}; {operation} was rolled back, the database stays at version {staysAt}");
        }
        finally
        {
            await watch.DisposeAsync();
        }
    }

    private MigrationException? TimeoutFailure(Exception e, int version, string operation)
    {
        // 57014 is also a cancellation asked for by the user (Ctrl-C): only the server's timeouts say "timeout".
        var error = e as PostgresException ?? (e as MigrationException)?.InnerException as PostgresException;
        if (error is null || !(error.SqlState == PostgresErrorCodes.LockNotAvailable ||
                               (error.SqlState == PostgresErrorCodes.QueryCanceled && error.MessageText.Contains("timeout", StringComparison.Ordinal))))
        {
            return null;
        }

        var timeouts = string.Join(" and ", new[] { ("--lock-timeout", options.LockTimeout), ("--statement-timeout", options.StatementTimeout) }
            .Where(t => t.Item2 is not null)
            .Select(t => $"{t.Item1} {t.Item2!.Value.TotalSeconds:0.###} s"));
        var failure = e as MigrationException ?? MigrationException.FromPostgres(error, version, operation);
        return failure.With($" (timeouts: {timeouts})");
    }

    private static string Milliseconds(TimeSpan timeout) =>
        ((long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One transaction: lock, migration script, method definitions, version bump.</summary>
    private Task ApplyAsync(NpgsqlConnection connection, DbVersion version, CancellationToken cancellationToken) =>
        InVersionTransactionAsync(connection, version.Number, $"the upgrade to version {version.Number}", version.Number - 1, () => ApplyBodyAsync(connection, version, cancellationToken), cancellationToken);

    private async Task ApplyBodyAsync(NpgsqlConnection connection, DbVersion version, CancellationToken cancellationToken)
    {
        var v = version.Number;
        if (v == 1)
        {
            await VersionTable.CreateAsync(connection, cancellationToken);
        }

        await VersionTable.LockAsync(connection, v - 1, $"the upgrade to version {v}", cancellationToken);
        if (!string.IsNullOrEmpty(version.MigrationScript))
        {
            Report(MigrationStage.Step, v, "..running migration script");
            await RunScriptAsync(connection, v, "migration script", version.MigrationScript, cancellationToken);
        }

        Report(MigrationStage.Step, v, "..defining methods");
        foreach (var method in version.Methods.Where(m => m.IsDefinition))
        {
            Report(MigrationStage.Step, v, $"   defining {method.Name}");
            await DefineAsync(connection, v, method, $"method {method.Name}", cancellationToken);
        }

        Report(MigrationStage.Step, v, "..updating version");
        await VersionTable.SetAsync(connection, v, cancellationToken);
    }

    /// <summary>One transaction: lock, downgrade script, restore or drop this version's methods, version update.</summary>
    private Task RevertAsync(NpgsqlConnection connection, DbVersion version, CancellationToken cancellationToken) =>
        InVersionTransactionAsync(connection, version.Number, $"the downgrade from version {version.Number}", version.Number, () => RevertBodyAsync(connection, version, cancellationToken), cancellationToken);

    private async Task RevertBodyAsync(NpgsqlConnection connection, DbVersion version, CancellationToken cancellationToken)
    {
        var v = version.Number;
        await VersionTable.LockAsync(connection, v, $"the downgrade from version {v}", cancellationToken);
        if (!string.IsNullOrEmpty(version.DowngradeScript))
        {
            Report(MigrationStage.Step, v, "..running downgrade script");
            await RunScriptAsync(connection, v, "downgrade script", version.DowngradeScript, cancellationToken);
        }

        Report(MigrationStage.Step, v, "..redefining methods");
        foreach (var method in version.Methods)
        {
            if (schema.LastDefinition(method.Name, v - 1) is { } previous)
            {
                Report(MigrationStage.Step, v, $"   using {method.Name} from db version {previous.Version}");
                await DefineAsync(connection, v, previous.Method, $"method {method.Name} (restoring its version {previous.Version} definition)", cancellationToken);
            }
            else if (schema.LastDefinition(method.Name, v) is { } created)
            {
                Report(MigrationStage.Step, v, $"   dropping {method.Name}");
                await ExecuteAsync(connection, v, $"method {method.Name} (dropping it)", new ScriptStatement(SqlText.DropFunction(method.Name, created.Method.Args ?? string.Empty), 0, string.Empty, method.Name), cancellationToken);
            }
        }

        await VersionTable.SetAsync(connection, v - 1, cancellationToken);
    }

    private Task RunScriptAsync(NpgsqlConnection connection, int version, string what, string script, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, version, what, SqlText.DoBlock(SqlText.SubstituteUsersPrefix(script, options.UsersPrefix)), cancellationToken);

    private static Task DefineAsync(NpgsqlConnection connection, int version, DbMethod method, string what, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, version, what, SqlText.CreateFunction(method), cancellationToken);

    private static async Task ExecuteAsync(NpgsqlConnection connection, int version, string what, ScriptStatement statement, CancellationToken cancellationToken)
    {
        try
        {
            await Sql.ExecuteAsync(connection, statement.Sql, cancellationToken);
        }
        catch (PostgresException e)
        {
            throw MigrationException.FromPostgres(e, version, what, statement);
        }
    }

    private void Report(MigrationStage stage, int? version, string message, TimeSpan? elapsed = null) =>
        options.Progress?.Invoke(new MigrationProgress(stage, version, message, elapsed));
}
