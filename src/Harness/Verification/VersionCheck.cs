using System.Diagnostics;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Seeding;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// The per-version shape on one database that is at N-1: seed, snapshot (S0), upgrade to N with its online
/// migration (S1), the version's assertions, downgrade to N-1 with its online downgrade (S2 must equal S0 in
/// catalog and data), re-upgrade (S3's catalog must equal S1's), every stored function called after each
/// upgrade and downgrade, and the interruption scenarios when the version has online work. The database is
/// left at N, with its data, for the next version.
/// </summary>
internal sealed class VersionCheck
{
    private readonly VerifySettings settings;
    private readonly int version;
    private readonly string connectionString;
    private readonly VersionHooks hooks;
    private readonly VersionContext context;
    private readonly List<VerificationFinding> findings = [];
    private readonly List<string> notes = [];
    private readonly Dictionary<string, double> phases = new(StringComparer.Ordinal);
    private readonly MigrationSession session;

    public VersionCheck(VerifySettings settings, int version, MigrationSession session)
    {
        this.settings = settings;
        this.version = version;
        this.session = session;
        connectionString = session.ConnectionString;
        hooks = settings.HooksFor(version);
        context = new VersionContext(settings.Schema, version, connectionString, settings.UsersPrefix);
    }

    private DbSchema Schema => settings.Schema;

    private int Previous => version - 1;

    /// <summary>The catalog at N once the check ends (after the re-upgrade): the next version's S0 on the same database.</summary>
    public CatalogSnapshot? CatalogAtEnd { get; private set; }

    /// <summary>Runs the shape; <paramref name="catalogAtStart"/> is S0 when the caller already has it (the previous version's end).</summary>
    public async Task<VersionResult> RunAsync(CatalogSnapshot? catalogAtStart, CancellationToken cancellationToken)
    {
        var intact = await RunShapeAsync(catalogAtStart, cancellationToken);
        return new VersionResult(version, findings, notes, phases, SeededRows, intact);
    }


    private int SeededRows { get; set; }

    private async Task<bool> RunShapeAsync(CatalogSnapshot? catalogAtStart, CancellationToken ct)
    {
        await Timed("seed", () => SeedAsync(ct));
        var (catalog0, data0) = await Timed("snapshot", async () =>
        {
            var catalog = catalogAtStart is null ? CatalogAsync(ct) : Task.FromResult(catalogAtStart);
            var data = DataAsync(ct);
            return (await catalog, await data);
        });
        await RunHookAsync("before upgrade", hooks.AssertBeforeUpgrade);

        var up = Recorder(OnlineDirection.Upgrade);
        try
        {
            await Timed("upgrade", () => UpgradeAsync(up, ct));
        }
        catch (MigrationException failure)
        {
            if (hooks.HasOwnSeed)
            {
                Defect(VerificationFindingKind.UpgradeFailed, $"version {version}", $"upgrade to {version} failed: {OnlineRecorder.FirstLines(failure.Message)}");
                return false;
            }

            // Generic rows cannot know every column's implicit shape: try again on the same database without them.
            await TruncateAllAsync(ct);
            data0 = await DataAsync(ct);
            up = Recorder(OnlineDirection.Upgrade);
            try
            {
                await Timed("upgrade", () => UpgradeAsync(up, ct));
            }
            catch (MigrationException again)
            {
                Defect(VerificationFindingKind.UpgradeFailed, $"version {version}", $"upgrade to {version} failed (also without seed rows): {OnlineRecorder.FirstLines(again.Message)}");
                return false;
            }

            Add(
                settings.Strict ? FindingSeverity.Defect : FindingSeverity.Warning,
                VerificationFindingKind.NeedsVersionSeed,
                $"version {version}",
                $"upgrade to {version} fails on generic seed rows but succeeds without them: {OnlineRecorder.FirstLines(failure.Message)}; " +
                "its data migration is unverified until a version test seeds rows of the right shape");
        }

        up.Done();
        RecordOnline(up);
        var catalog1 = await Timed("snapshot", () => CatalogAsync(ct));
        await Timed("functions", () => ProbeAsync(version, MethodsToProbeAfterUpgrade(), ct));
        await RunHookAsync("after upgrade", hooks.AssertAfterUpgrade);

        var down = Recorder(OnlineDirection.Downgrade);
        try
        {
            await Timed("downgrade", () => DowngradeAsync(down, ct));
        }
        catch (MigrationException failure)
        {
            Defect(VerificationFindingKind.DowngradeFailed, $"version {version}", $"downgrade to {Previous} failed: {OnlineRecorder.FirstLines(failure.Message)}");
            return false;
        }

        down.Done();
        RecordOnline(down);
        await Timed("compare", async () =>
        {
            // Two connections: the server reads the rows while this process parses the catalog.
            var catalog2 = CatalogAsync(ct);
            var data2 = DataAsync(ct);
            CompareCatalogs(catalog0, await catalog2, $"after downgrade to {Previous}", reupgrade: false);
            CompareData(data0, await data2, $"after downgrade to {Previous}");
        });
        await Timed("functions", () => ProbeAsync(Previous, MethodsToProbeAfterDowngrade(), ct));
        await RunHookAsync("after downgrade", hooks.AssertBeforeUpgrade);

        try
        {
            await Timed("re-upgrade", () => UpgradeAsync(Recorder(OnlineDirection.Upgrade), ct));
        }
        catch (MigrationException failure)
        {
            Defect(VerificationFindingKind.ReupgradeFailed, $"version {version}", $"upgrade to {version} after the downgrade failed: {OnlineRecorder.FirstLines(failure.Message)}");
            return false;
        }

        await Timed("compare", async () =>
        {
            CatalogAtEnd = await CatalogAsync(ct);
            CompareCatalogs(catalog1, CatalogAtEnd, "after re-upgrade", reupgrade: true);
        });
        await RunHookAsync("after re-upgrade", hooks.AssertAfterUpgrade);

        if (up.Batches > 0 || down.Batches > 0)
        {
            await Timed("online scenarios", () => new OnlineScenarios(this, up.Batches > 0, down.Batches > 0, catalog1, data0).RunAsync(ct));
        }

        return true;
    }

    // ----- steps the online scenarios reuse -----

    internal int Version => version;

    internal VerifySettings Settings => settings;

    internal OnlineRecorder Recorder(OnlineDirection direction, bool interruptMidway = false, int? interruptBeforeBatch = null) =>
        new(direction, hooks.DuringOnlineWork is { } check ? (d, c) => check(context, d, c) : null)
        {
            InterruptMidway = interruptMidway,
            InterruptBeforeBatch = interruptBeforeBatch,
        };

    /// <summary>Upgrades to N; an interruption the recorder asked for is swallowed (the database stays mid-online).</summary>
    internal Task UpgradeAsync(OnlineRecorder recorder, CancellationToken ct) => session.UpgradeAsync(version, recorder, ct);

    internal Task DowngradeAsync(OnlineRecorder recorder, CancellationToken ct) => session.DowngradeAsync(Previous, recorder, ct);

    internal void RecordOnline(OnlineRecorder recorder)
    {
        foreach (var failure in recorder.CheckFailures)
        {
            Defect(VerificationFindingKind.AssertionFailed, $"version {version}", $"check during online work failed: {failure}");
        }

        recorder.CheckFailures.Clear();
    }

    internal async Task<CatalogSnapshot> CatalogAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await CatalogSnapshot.TakeAsync(connection, new CatalogSnapshotOptions { RolePrefix = settings.UsersPrefix + "_" }, ct);
    }

    internal async Task<DataSnapshot> DataAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        // tcversion belongs to the migrator; its value is checked by the migrator's own lock.
        return await DataSnapshot.TakeAsync(connection, new DataSnapshotOptions { ExcludedTables = new HashSet<string>(StringComparer.Ordinal) { "public.tcversion" } }, ct);
    }

    internal void CompareCatalogs(CatalogSnapshot expected, CatalogSnapshot actual, string when, bool reupgrade)
    {
        foreach (var difference in CatalogDiff.Compare(expected, actual))
        {
            if (!difference.IsDifference)
            {
                notes.Add($"{difference} ({when})");
                continue;
            }

            if (Previous == 0 && !reupgrade && HarnessSetup.IsSetupDifference(difference, settings.UsersPrefix))
            {
                continue;
            }

            var kind = reupgrade ? VerificationFindingKind.ReupgradeDiffers : difference.Kind switch
            {
                DifferenceKind.Added => VerificationFindingKind.StrayObject,
                DifferenceKind.Removed => VerificationFindingKind.MissingObject,
                _ => VerificationFindingKind.ChangedObject,
            };
            Defect(kind, $"{CatalogObject.Describe(difference.ObjectKind)} {difference.QualifiedName}", $"{difference} ({when})");
        }
    }

    internal void CompareData(DataSnapshot expected, DataSnapshot actual, string when)
    {
        var ignored = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
        foreach (var entry in hooks.RegeneratedColumns)
        {
            var dot = entry.LastIndexOf('.');
            if (dot <= 0)
            {
                continue;
            }

            var table = entry[..dot];
            table = table.Contains('.', StringComparison.Ordinal) ? table : "public." + table;
            ignored[table] = (ignored.GetValueOrDefault(table) ?? []).Append(entry[(dot + 1)..]).ToList();
        }

        foreach (var difference in DataDiff.Compare(expected, actual, ignored))
        {
            Defect(VerificationFindingKind.DataChanged, $"table {difference.Table}", $"{difference} ({when})");
        }
    }

    internal void Defect(VerificationFindingKind kind, string subject, string message) => Add(FindingSeverity.Defect, kind, subject, message);

    internal void Note(string note) => notes.Add(note);

    internal async Task<T> Timed<T>(string phase, Func<Task<T>> action)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            return await action();
        }
        finally
        {
            phases[phase] = phases.GetValueOrDefault(phase) + stopwatch.Elapsed.TotalMilliseconds;
        }
    }

    internal Task Timed(string phase, Func<Task> action) => Timed(phase, async () =>
    {
        await action();
        return true;
    });

    private void Add(FindingSeverity severity, VerificationFindingKind kind, string subject, string message)
    {
        findings.Add(new VerificationFinding(severity, kind, version, subject, message));
        settings.Progress?.Invoke($"v{version:D4} {severity.ToString().ToLowerInvariant()}: {message}");
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var rules = new Dictionary<string, TableSeedRule>(hooks.SeedRules, StringComparer.Ordinal);
        foreach (var table in await NonEmptyTablesAsync(connection, ct))
        {
            // Tables that already hold rows (carried from earlier versions) are not seeded again.
            rules.TryAdd(table, new TableSeedRule { Rows = 0 });
        }

        var report = await Seeder.SeedAsync(connection, new SeedOptions
        {
            Seed = settings.Seed * 7919 + version,
            RowsPerTable = hooks.RowsPerTable ?? settings.RowsPerTable,
            Tables = rules,
        }, ct);
        SeededRows = report.TotalRows;
        foreach (var unfilled in report.Unfilled)
        {
            Add(FindingSeverity.Warning, VerificationFindingKind.SeedIncomplete, $"table {unfilled.Table}", $"generic seed at version {Previous}: {unfilled}");
        }

        if (hooks.Seed is not null)
        {
            await RunHookAsync("seed", hooks.Seed);
        }
    }

    private static async Task<IReadOnlyList<string>> NonEmptyTablesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var probes = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select format('select %L where exists (select from %I.%I)', n.nspname || '.' || c.relname, n.nspname, c.relname) " +
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r' and n.nspname = 'public'",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                probes.Add(reader.GetString(0));
            }
        }

        var tables = new List<string>();
        if (probes.Count == 0)
        {
            return tables;
        }

        await using var command = new NpgsqlCommand(string.Join(" union all ", probes), connection);
        await using var rows = await command.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            tables.Add(rows.GetString(0));
        }

        return tables;
    }

    private async Task TruncateAllAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "do $tcdb$ declare t text; begin for t in select format('%I.%I', schemaname, tablename) from pg_tables " +
            "where schemaname = 'public' and tablename <> 'tcversion' loop execute 'truncate ' || t || ' cascade'; end loop; end $tcdb$",
            connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task RunHookAsync(string phase, Func<VersionContext, Task>? hook)
    {
        if (hook is null)
        {
            return;
        }

        try
        {
            await hook(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Defect(VerificationFindingKind.AssertionFailed, $"version {version}", $"{phase}: {OnlineRecorder.FirstLines(e.Message)}");
        }
    }

    /// <summary>A version without a migration script changed no table: only its own methods can break.</summary>
    private IReadOnlyCollection<string>? MethodsToProbeAfterUpgrade()
    {
        var entry = Schema.GetVersion(version);
        return entry.HasScripts ? null : entry.Methods.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
    }

    private IReadOnlyCollection<string>? MethodsToProbeAfterDowngrade()
    {
        var entry = Schema.GetVersion(version);
        return string.IsNullOrEmpty(entry.DowngradeScript) ? entry.Methods.Select(m => m.Name).ToHashSet(StringComparer.Ordinal) : null;
    }

    private async Task ProbeAsync(int atVersion, IReadOnlyCollection<string>? only, CancellationToken ct)
    {
        if (atVersion == 0)
        {
            return;
        }

        var methods = Schema.EffectiveMethods(atVersion).Where(m => only is null || only.Contains(m.Name)).ToList();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (var result in await FunctionProbe.CallEachAsync(connection, methods, ct))
        {
            if (result.IsDefect)
            {
                var method = methods.First(m => m.Name == result.Method);
                var what = result.SqlState == "25006" ? "read-mode method writes" : "cannot run";
                Defect(
                    VerificationFindingKind.FunctionBroken,
                    $"function {method.Name}",
                    $"function {method.Name} (defined in version {method.DefinedInVersion}{(method.Deprecated ? ", deprecated" : string.Empty)}) {what} at version {atVersion}: {result.SqlState} {result.Error}");
            }
        }
    }
}
