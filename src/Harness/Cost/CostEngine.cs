using System.Diagnostics;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Runs;
using Tcdb.Schema;
using Tcdb.Seeding;
using Tcdb.Servers;

namespace Tcdb.Cost;

/// <summary>
/// Measures what each version costs: for every version, a database at N-1 is seeded at each scale (rows in the
/// tables the version touches, found by a first run on the unseeded database), instrumented, and upgraded and
/// downgraded by the ordinary <see cref="Migrator"/>; locks, rewrites, scans and time come from the
/// transaction's own record (<see cref="CostInstruments"/>), online work is run batch by batch by
/// <see cref="OnlineProfiler"/>. One empty "chain" database walks 0 -> latest and is the template of every
/// version's databases. Verdicts are <see cref="CostJudge"/>'s.
/// </summary>
public sealed class CostEngine(IPostgresServer server, CostOptions options)
{
    private readonly RolePrefix rolePrefix = RolePrefix.Random("tcc");

    private DbSchema Schema => options.Schema;

    public async Task<CostReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var (from, to) = VersionRange.Within(Schema.LatestVersion, options.FromVersion, options.ToVersion);

        var versions = new List<VersionCost>();
        await using (var scope = new RunScope(server, rolePrefix, options.Progress))
        {
            var chain = await scope.CreateDatabaseAsync(cancellationToken);
            var blocked = await UpgradeChainAsync(chain, from - 1, cancellationToken);
            for (var v = from; v <= to; v++)
            {
                if (blocked is not null)
                {
                    versions.Add(CostJudge.Judge(Unmeasured(v, blocked), options));
                    continue;
                }

                Progress($"v{v:D4}: measuring {Schema.GetVersion(v).Description}");
                var measurement = await MeasureVersionAsync(chain.Name, v, cancellationToken);
                var cost = CostJudge.Judge(measurement, options);
                versions.Add(cost);
                Progress($"v{v:D4}: {cost.Status.Id()}{(cost.Reasons.Count > 0 ? ": " + cost.Reasons[0] : string.Empty)}");
                if (v < to)
                {
                    blocked = await UpgradeChainAsync(chain, v, cancellationToken);
                }
            }
        }

        return new CostReport(server.Description, from, to, versions, options, clock.Elapsed);
    }

    /// <summary>
    /// Measures one version on copies of <paramref name="templateAtPreviousVersion"/>, a database of the server
    /// at version N-1 that nobody is connected to (its rows, if any, stay as they are; the touched tables get the
    /// scales' rows on top). <see cref="CostJudge.Judge"/> turns the result into a verdict.
    /// </summary>
    public async Task<VersionMeasurement> MeasureVersionAsync(string templateAtPreviousVersion, int version, CancellationToken cancellationToken = default)
    {
        var dbVersion = Schema.GetVersion(version);
        var probe = await MeasureScaleAsync(templateAtPreviousVersion, dbVersion, null, 0, cancellationToken);
        if (probe.Scale.Problem is not null)
        {
            return new VersionMeasurement(version, dbVersion.Description ?? string.Empty, [], [], probe.Scale.Problem, probe.CannotRunInTransaction);
        }

        var touched = new[] { probe.Scale.Upgrade, probe.Scale.Downgrade }.OfType<TransactionCost>().SelectMany(t => t.Tables.Select(c => c.Table))
            .Concat(new[] { probe.Scale.OnlineMigration, probe.Scale.OnlineDowngrade }.OfType<OnlineProfile>().SelectMany(p => p.Tables))
            .Where(probe.ExistingTables.Contains)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        if (touched.Count == 0)
        {
            return new VersionMeasurement(version, dbVersion.Description ?? string.Empty, [], [], null);
        }

        var scales = new List<ScaleCost>();
        foreach (var rows in options.Scales.Order())
        {
            Progress($"v{version:D4}: {Quantities.Count(rows)} rows in {string.Join(", ", touched)}");
            scales.Add((await MeasureScaleAsync(templateAtPreviousVersion, dbVersion, touched, rows, cancellationToken)).Scale);
        }

        return new VersionMeasurement(version, dbVersion.Description ?? string.Empty, touched, scales, null);
    }

    private sealed record ScaleRun(ScaleCost Scale, IReadOnlySet<string> ExistingTables, bool CannotRunInTransaction);

    private async Task<ScaleRun> MeasureScaleAsync(string template, DbVersion version, IReadOnlyList<string>? touched, int rows, CancellationToken cancellationToken)
    {
        await using var db = await server.CreateDatabaseAsync(template, cancellationToken);
        await using var connection = await db.OpenAsync(cancellationToken);
        var notes = new List<string>();
        if (touched is not null)
        {
            notes.AddRange(await SeedAsync(connection, touched, rows, cancellationToken));
        }

        await CostInstruments.InstallAsync(connection, cancellationToken);
        var catalog = await RelationCatalog.ReadAsync(connection, cancellationToken);
        var existing = catalog.Relations.Where(r => r.IsTable).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var touchedTables = (touched ?? []).Select(catalog.FindTable).OfType<Relation>().ToList();
        var touchedRows = (await RelationCatalog.CountRowsAsync(connection, touchedTables, cancellationToken)).Values.Sum();
        var touchedBytes = touchedTables.Sum(t => t.TotalBytes);

        var up = await MeasureStepAsync(db, connection, version, CostDirection.Upgrade, touchedRows, cancellationToken);
        var down = up.Problem is null ? await MeasureStepAsync(db, connection, version, CostDirection.Downgrade, touchedRows, cancellationToken) : null;
        // A seeding shortfall only explains a failure; otherwise the counted rows are what the fit uses.
        var problem = (up.Problem ?? down?.Problem) is { } failure ? string.Join("; ", notes.Prepend(failure)) : null;
        var scale = new ScaleCost(rows, touchedRows, touchedBytes, up.Cost, down?.Cost, up.Online, down?.Online, problem);
        return new ScaleRun(scale, existing, up.CannotRunInTransaction || (down?.CannotRunInTransaction ?? false));
    }

    /// <summary>Seeds the touched tables with <paramref name="rows"/> rows and the others with a few; returns notes on shortfalls.</summary>
    private async Task<IReadOnlyList<string>> SeedAsync(NpgsqlConnection connection, IReadOnlyList<string> touched, int rows, CancellationToken cancellationToken)
    {
        var schemas = touched.Select(t => t.Split('.', 2)[0]).Append("public").Distinct().ToList();
        var report = await Seeder.SeedAsync(
            connection,
            new SeedOptions
            {
                Seed = options.Seed,
                RowsPerTable = options.OtherTableRows,
                Schemas = schemas,
                Tables = touched.ToDictionary(t => t, _ => new TableSeedRule { Rows = rows }, StringComparer.Ordinal),
            },
            cancellationToken);
        await Sql.ExecuteAsync(connection, "analyze", cancellationToken);
        return report.Unfilled.Where(u => touched.Contains(u.Table)).Select(u => $"seeding {u}").ToList();
    }

    private sealed record StepResult(TransactionCost? Cost, OnlineProfile? Online, string? Problem, bool CannotRunInTransaction = false);

    /// <summary>Runs one upgrade or downgrade of <paramref name="version"/> with the migrator, measured; then its online work, profiled.</summary>
    private async Task<StepResult> MeasureStepAsync(
        ServerDatabase db, NpgsqlConnection connection, DbVersion version, CostDirection direction, long touchedRows, CancellationToken cancellationToken)
    {
        var before = await RelationCatalog.ReadAsync(connection, cancellationToken);
        var tables = before.Relations.Where(r => r.IsTable).ToList();
        var rowsBefore = await RelationCatalog.CountRowsAsync(connection, tables, cancellationToken);
        await CostInstruments.ResetAsync(connection, cancellationToken);

        var applicationName = "tcdb_cost_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = applicationName }.ConnectionString;
        var onlinePending = false;
        LockProbeResult? probed = null;
        var what = direction == CostDirection.Upgrade ? $"the upgrade to version {version.Number}" : $"the downgrade from version {version.Number}";
        await using (var migrator = NewMigrator(connectionString, () => onlinePending = true))
        {
            using var stopProbe = new CancellationTokenSource();
            var probe = options.LockProbe
                ? new LockProbe(db.ConnectionString, applicationName, tables.ToDictionary(t => t.Oid, t => (t.Name, t.SqlName))).RunAsync(stopProbe.Token)
                : Task.FromResult<LockProbeResult?>(null);
            try
            {
                // Stopped between the version's transaction and its first online batch: the profiler takes over.
                await StepAsync(migrator, version, direction, cancellationToken);
            }
            catch (MigrationException e)
            {
                var cannotRun = e.SqlState == PostgresErrorCodes.ActiveSqlTransaction;
                return new StepResult(null, null, cannotRun ? CannotRunMessage(version, direction, e) : $"{what} failed: {e.Message}", cannotRun);
            }
            finally
            {
                await stopProbe.CancelAsync();
                probed = await probe;
            }
        }

        var trace = await CostInstruments.ReadAsync(connection, cancellationToken)
            ?? throw new InvalidOperationException($"{what} committed without passing the tcversion update the cost instruments watch");
        var cost = TransactionAnalysis.Analyze(before, await RelationCatalog.ReadAsync(connection, cancellationToken), rowsBefore, trace, probed);
        if (!onlinePending)
        {
            return new StepResult(cost, null, null);
        }

        var onlineDirection = direction == CostDirection.Upgrade ? OnlineDirection.Upgrade : OnlineDirection.Downgrade;
        OnlineProfile online;
        try
        {
            online = await OnlineProfiler.ProfileAsync(connection, version, onlineDirection, options.BatchSize, Math.Max(touchedRows, options.BatchSize), options.GrowthFactor, cancellationToken);
            if (online.Problem is null)
            {
                // The completion function now says done: the migrator only drops the online functions.
                await using var finisher = NewMigrator(db.ConnectionString, null);
                await StepAsync(finisher, version, direction, cancellationToken);
            }
        }
        catch (MigrationException e)
        {
            return new StepResult(cost, null, $"the online {(onlineDirection == OnlineDirection.Upgrade ? "migration" : "downgrade")} of version {version.Number} failed: {e.Message}");
        }

        return new StepResult(cost, online, online.Problem);
    }

    private static Task StepAsync(Migrator migrator, DbVersion version, CostDirection direction, CancellationToken cancellationToken) =>
        direction == CostDirection.Upgrade ? migrator.UpgradeAsync(version.Number, cancellationToken) : migrator.DowngradeAsync(version.Number - 1, cancellationToken);

    internal static string CannotRunMessage(DbVersion version, CostDirection direction, MigrationException e) =>
        $"version {version.Number}: its {(direction == CostDirection.Upgrade ? "migration" : "downgrade")} script uses a statement PostgreSQL refuses inside a transaction " +
        $"({e.Message}). A version's script runs as one DO block in the version's transaction, so this version can never be applied: " +
        "use the plain form (e.g. `create index` without `concurrently`) and, for a large table, an online migration";

    /// <summary>A migrator for this run; with <paramref name="beforeFirstBatch"/>, it stops before the first online batch and calls it.</summary>
    private Migrator NewMigrator(string connectionString, Action? beforeFirstBatch) => new(Schema, connectionString, new MigratorOptions
    {
        RolePrefix = rolePrefix,
        ServicePasswords = ServicePasswords.Unmanaged,
        AcceptedMajorVersions = ServerVersionGate.Any,
        OnlineHooks = beforeFirstBatch is null ? null : new OnlineMigrationHooks
        {
            BeforeBatch = _ =>
            {
                beforeFirstBatch();
                return ValueTask.FromResult(OnlineBatchDecision.Interrupt);
            },
        },
    });

    /// <summary>Upgrades the chain database to <paramref name="version"/>; returns why versions above cannot be measured, when it fails.</summary>
    private async Task<string?> UpgradeChainAsync(ServerDatabase chain, int version, CancellationToken cancellationToken)
    {
        if (version < 1)
        {
            return null;
        }

        try
        {
            await using var migrator = NewMigrator(chain.ConnectionString, null);
            await migrator.UpgradeAsync(version, cancellationToken);
            return null;
        }
        catch (MigrationException e)
        {
            return $"not measured: the upgrade of the unseeded database to version {version} failed: {e.Message}";
        }
        finally
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(chain.ConnectionString));
        }
    }

    private VersionMeasurement Unmeasured(int version, string why) => new(version, Schema.GetVersion(version).Description ?? string.Empty, [], [], why);

    private void Progress(string line) => options.Progress?.Invoke(line);
}
