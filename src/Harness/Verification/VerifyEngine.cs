using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Policy;
using Tcdb.Servers;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// Verifies a db directory on a server: the policy rules, every version's shape (<see cref="VersionCheck"/>),
/// and the whole chain 0 -> latest -> 0 -> latest with the grant, column and leftover checks.
/// The versions are split into contiguous segments verified side by side; a segment starts from a
/// template database that one upward pass of the chain leaves behind, so nothing is upgraded from 0 twice.
/// </summary>
public sealed class VerifyEngine
{
    private readonly IPostgresServer server;
    private readonly VerifyOptions options;
    private readonly VerifySettings settings;
    private readonly ConcurrentBag<TestDatabase> databases = [];
    private readonly ConcurrentBag<VerificationFinding> findings = [];
    private readonly ConcurrentBag<VersionResult> results = [];

    public VerifyEngine(IPostgresServer server, VerifyOptions options)
    {
        this.server = server;
        this.options = options;
        settings = new VerifySettings
        {
            Schema = options.Schema,
            UsersPrefix = "tcv_" + RandomLetters(8),
            Seed = options.Seed,
            RowsPerTable = options.RowsPerTable,
            Strict = options.Strict,
            Hooks = options.Hooks,
            Progress = options.Progress,
        };
    }

    /// <summary>Service-role prefix of this run's databases.</summary>
    public string UsersPrefix => settings.UsersPrefix;

    public async Task<VerificationReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var latest = options.Schema.LatestVersion;
        var from = Math.Max(1, options.FromVersion ?? 1);
        var to = Math.Min(latest, options.ToVersion ?? latest);
        if (from > to)
        {
            throw new ArgumentException($"no version to verify in {from}..{to} (the directory has versions 1..{latest})");
        }

        if (options.CheckPolicy)
        {
            CheckPolicy();
        }

        var segments = Segments(from, to, Math.Max(1, options.Jobs));
        var templates = segments.ToDictionary(s => s.First - 1, _ => new TaskCompletionSource<TestDatabase?>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            var chain = RunChainAsync(templates, wholeChain: from == 1 && to == latest, cancellationToken);
            var work = segments.Select(s => RunSegmentAsync(s, templates[s.First - 1].Task, cancellationToken)).ToList();
            await Task.WhenAll(work.Append(chain));
        }
        finally
        {
            await CleanUpAsync();
        }

        var versionFindings = results.OrderBy(r => r.Version).SelectMany(r => r.Findings);
        return new VerificationReport(
            options.Schema.Directory ?? "(schema)",
            server.Description,
            from,
            to,
            findings.OrderBy(f => f.Version ?? int.MaxValue).Concat(versionFindings).ToList(),
            results.OrderBy(r => r.Version).ToList(),
            stopwatch.Elapsed);
    }

    private void CheckPolicy()
    {
        var report = PolicyChecker.Check(options.Schema, options.Waivers);
        foreach (var finding in report.Findings)
        {
            findings.Add(new VerificationFinding(
                finding.Severity == PolicySeverity.Error ? FindingSeverity.Defect : FindingSeverity.Warning,
                VerificationFindingKind.Policy,
                null,
                finding.Object,
                finding.ToString()));
        }
    }

    /// <summary>
    /// One database goes 0 -> latest, leaving a template at the start of every segment; then the post-upgrade
    /// checks, a downgrade to 0 that must leave nothing behind, and the upgrade to latest again.
    /// </summary>
    private async Task RunChainAsync(IReadOnlyDictionary<int, TaskCompletionSource<TestDatabase?>> templates, bool wholeChain, CancellationToken ct)
    {
        var pending = templates.OrderBy(t => t.Key).ToList();
        try
        {
            var db = await NewDatabaseAsync(ct);
            var empty = await CatalogAsync(db, ct);
            foreach (var (version, template) in pending)
            {
                if (version > 0 && !await StepAsync(db, m => m.UpgradeAsync(version, ct), null, $"upgrade to {version}"))
                {
                    break;
                }

                var clone = await db.CloneAsync(ct);
                databases.Add(clone);
                template.TrySetResult(clone);
            }

            if (!wholeChain || pending.Any(t => !t.Value.Task.IsCompleted))
            {
                return;
            }

            var latest = options.Schema.LatestVersion;
            Progress($"chain: upgrade 0 -> {latest}, downgrade to 0, upgrade again");
            if (!await StepAsync(db, async m => ReportDrift((await m.UpgradeAsync(null, ct)).Findings, "after upgrading to the latest version"), latest, "upgrade to the latest version"))
            {
                return;
            }

            if (!await StepAsync(db, m => m.DowngradeAsync(0, ct), latest, $"downgrade from {latest} to 0"))
            {
                return;
            }

            foreach (var difference in CatalogDiff.Compare(empty, await CatalogAsync(db, ct)).Where(d => d.IsDifference && !HarnessSetup.IsSetupDifference(d, settings.UsersPrefix)))
            {
                Chain(VerificationFindingKind.ChainLeftover, null, $"{CatalogObject.Describe(difference.ObjectKind)} {difference.QualifiedName}", $"{difference} (after downgrading every version to 0)");
            }

            await StepAsync(db, async m => ReportDrift((await m.UpgradeAsync(null, ct)).Findings, "after the re-upgrade to the latest version"), latest, "re-upgrade to the latest version");
        }
        finally
        {
            foreach (var (_, template) in pending)
            {
                template.TrySetResult(null);
            }
        }
    }

    private void ReportDrift(IReadOnlyList<CheckFinding> drift, string when)
    {
        foreach (var finding in drift)
        {
            var kind = finding.Kind is FindingKind.MissingTable or FindingKind.ExtraTable or FindingKind.MissingColumn or FindingKind.ExtraColumn or FindingKind.ColumnType
                ? VerificationFindingKind.ColumnDrift
                : VerificationFindingKind.GrantDrift;
            Chain(kind, options.Schema.LatestVersion, kind == VerificationFindingKind.ColumnDrift ? "tables.yml" : "access.yml", $"{finding.Message} ({when})");
        }
    }

    /// <summary>Runs one migrator step on the chain database; a failure is a finding and stops the chain.</summary>
    private async Task<bool> StepAsync(TestDatabase db, Func<Migrator, Task> step, int? version, string what)
    {
        try
        {
            await using var migrator = new Migrator(options.Schema, db.ConnectionString, settings.MigratorOptions());
            await step(migrator);
            return true;
        }
        catch (MigrationException e)
        {
            Chain(VerificationFindingKind.UpgradeFailed, e.Version ?? version, $"version {e.Version ?? version}", $"{what} on an empty database failed: {OnlineRecorder.FirstLines(e.Message)}");
            return false;
        }
    }

    private async Task RunSegmentAsync((int First, int Last) segment, Task<TestDatabase?> template, CancellationToken ct)
    {
        var start = await template;
        if (start is null)
        {
            for (var v = segment.First; v <= segment.Last; v++)
            {
                NotVerified(v, "the chain could not reach the version before it");
            }

            return;
        }

        var db = await start.CloneAsync(ct);
        databases.Add(db);
        var session = new MigrationSession(settings, db.ConnectionString);
        try
        {
            CatalogSnapshot? catalog = null;
            for (var version = segment.First; version <= segment.Last; version++)
            {
                var stopwatch = Stopwatch.StartNew();

                // The previous version ended at this version's N-1 on the same database: its last snapshot is our S0.
                var check = new VersionCheck(settings, version, session);
                var result = await check.RunAsync(catalog, ct);
                catalog = check.CatalogAtEnd;
                results.Add(result);
                var phases = string.Join(", ", result.PhaseMilliseconds.Select(p => $"{p.Key} {p.Value:0}"));
                var verdict = result.HasDefects ? $"{result.Findings.Count(f => f.IsDefect)} defect(s)" : "ok";
                Progress($"v{version:D4} {verdict} in {stopwatch.ElapsedMilliseconds} ms ({phases}; {result.SeededRows} rows seeded)");
                if (!result.ChainIntact && version < segment.Last)
                {
                    // Continue the segment on a fresh database brought to this version without seed data.
                    await session.DisposeAsync();
                    db = await NewDatabaseAsync(ct);
                    session = new MigrationSession(settings, db.ConnectionString);
                    catalog = null;
                    if (!await StepAsync(db, m => m.UpgradeAsync(version, ct), version, $"upgrade to {version}"))
                    {
                        for (var v = version + 1; v <= segment.Last; v++)
                        {
                            NotVerified(v, $"version {version} cannot be applied");
                        }

                        return;
                    }
                }
            }
        }
        finally
        {
            await session.DisposeAsync();
        }
    }

    private async Task<TestDatabase> NewDatabaseAsync(CancellationToken ct)
    {
        var db = await server.CreateDatabaseAsync(cancellationToken: ct);
        databases.Add(db);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("create extension if not exists pgcrypto", connection);
        await command.ExecuteNonQueryAsync(ct);
        return db;
    }

    private async Task<CatalogSnapshot> CatalogAsync(TestDatabase db, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync(ct);
        return await CatalogSnapshot.TakeAsync(connection, new CatalogSnapshotOptions { RolePrefix = settings.UsersPrefix + "_" }, ct);
    }

    private void Chain(VerificationFindingKind kind, int? version, string subject, string message)
    {
        findings.Add(new VerificationFinding(FindingSeverity.Defect, kind, version, subject, message));
        Progress($"chain defect: {message}");
    }

    private void NotVerified(int version, string why) =>
        findings.Add(new VerificationFinding(FindingSeverity.Defect, VerificationFindingKind.NotVerified, version, $"version {version}", $"version {version} was not verified: {why}"));

    private void Progress(string line) => options.Progress?.Invoke(line);

    private async Task CleanUpAsync()
    {
        foreach (var db in databases)
        {
            await db.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        var roles = new List<string>();
        await using (var list = new NpgsqlCommand("select rolname from pg_roles where starts_with(rolname, $1)", connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = settings.UsersPrefix + "_" });
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                roles.Add(reader.GetString(0));
            }
        }

        foreach (var role in roles)
        {
            await using var drop = new NpgsqlCommand($"drop role if exists \"{role.Replace("\"", "\"\"")}\"", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Splits first..last into at most <paramref name="jobs"/> contiguous, nearly equal segments.</summary>
    internal static IReadOnlyList<(int First, int Last)> Segments(int first, int last, int jobs)
    {
        var count = last - first + 1;
        var parts = Math.Min(jobs, count);
        var segments = new List<(int, int)>();
        var start = first;
        for (var i = 0; i < parts; i++)
        {
            var size = count / parts + (i < count % parts ? 1 : 0);
            segments.Add((start, start + size - 1));
            start += size;
        }

        return segments;
    }

    private static string RandomLetters(int length) =>
        new(Enumerable.Range(0, length).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());
}
