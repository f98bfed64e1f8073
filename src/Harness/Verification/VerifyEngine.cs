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
/// and the whole chain 0 -> latest -> 0 -> latest on an empty database with the grant, column and leftover
/// checks. The versions are split into contiguous segments verified side by side. A segment starts from a
/// template that one seeded upward pass leaves behind: each version's generic rows are seeded at N-1 and
/// migrated by the upgrade, exactly as a sequential run would have them, so the verdict never depends on
/// the number of jobs. Function calls are judged once over all versions (<see cref="FunctionVerdicts"/>),
/// and accepted findings are applied last.
/// </summary>
public sealed class VerifyEngine
{
    private readonly IPostgresServer server;
    private readonly VerifyOptions options;
    private readonly VerifySettings settings;
    private readonly ConcurrentBag<TestDatabase> databases = [];
    private readonly ConcurrentBag<VerificationFinding> findings = [];
    private readonly ConcurrentBag<VersionResult> results = [];
    private readonly ConcurrentDictionary<(VerificationFindingKind, string, string), byte> chainFacts = new();

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
            VersionTimeout = options.VersionTimeout,
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
            var chain = from == 1 && to == latest ? RunChainAsync(cancellationToken) : Task.CompletedTask;
            var upward = RunUpwardPassAsync(templates, cancellationToken);
            var work = segments.Select(s => RunSegmentAsync(s, templates[s.First - 1].Task, cancellationToken)).ToList();
            await Task.WhenAll(work.Append(chain).Append(upward));
        }
        finally
        {
            await CleanUpAsync();
        }

        var ordered = results.OrderBy(r => r.Version).ToList();
        var all = findings.ToList()
            .Concat(ordered.SelectMany(r => r.Findings))
            .Concat(new FunctionVerdicts(options.Schema, options.Releases).Judge(ordered.SelectMany(r => r.Probes)))
            .OrderBy(f => f.Version ?? 0)
            .ThenBy(f => f.Severity)
            .ToList();
        return new VerificationReport(
            options.Schema.Directory ?? "(schema)",
            server.Description,
            from,
            to,
            Accept(all),
            ordered,
            stopwatch.Elapsed);
    }

    /// <summary>Marks the findings the project accepted; an accepted entry that matches nothing is reported.</summary>
    private List<VerificationFinding> Accept(List<VerificationFinding> all)
    {
        var used = new HashSet<AcceptedFinding>();
        for (var i = 0; i < all.Count; i++)
        {
            if (options.Accepted.FirstOrDefault(a => a.Matches(all[i])) is { } entry)
            {
                all[i] = all[i] with { AcceptedReason = entry.Reason };
                used.Add(entry);
            }
        }

        foreach (var unused in options.Accepted.Where(a => !used.Contains(a)))
        {
            all.Add(new VerificationFinding(
                FindingSeverity.Warning,
                VerificationFindingKind.AcceptedUnused,
                null,
                $"accepted {unused.Kind} {unused.Object}",
                $"{unused.Location?.ToString() ?? AcceptedFinding.DefaultFileName}: the accepted finding {(unused.Version is { } v ? $"of version {v} " : string.Empty)}{unused.Kind} {unused.Object} matches nothing; remove the entry"));
        }

        return all;
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
    /// The whole chain on an empty database: 0 -> latest with the post-upgrade checks, a downgrade to 0 that
    /// must leave nothing behind, and the upgrade to latest again.
    /// </summary>
    private async Task RunChainAsync(CancellationToken ct)
    {
        var db = await NewDatabaseAsync(ct);
        var empty = await CatalogAsync(db, ct);
        var latest = options.Schema.LatestVersion;
        Progress($"chain: upgrade 0 -> {latest}, downgrade to 0, upgrade again");
        if (!await ChainStepAsync(db, async (m, t) => ReportDrift((await m.UpgradeAsync(null, t)).Findings, "after upgrading to the latest version"), VerificationFindingKind.ChainUpgradeFailed, $"upgrade from 0 to {latest}", ct))
        {
            return;
        }

        if (!await ChainStepAsync(db, (m, t) => m.DowngradeAsync(0, t), VerificationFindingKind.ChainDowngradeFailed, $"downgrade from {latest} to 0", ct))
        {
            return;
        }

        foreach (var difference in CatalogDiff.Compare(empty, await CatalogAsync(db, ct)).Where(d => d.IsDifference && !HarnessSetup.IsSetupDifference(d, settings.UsersPrefix)))
        {
            Chain(VerificationFindingKind.ChainLeftover, null, $"{CatalogObject.Describe(difference.ObjectKind)} {difference.QualifiedName}", $"{difference} (after downgrading every version to 0)");
        }

        await ChainStepAsync(db, async (m, t) => ReportDrift((await m.UpgradeAsync(null, t)).Findings, "after the re-upgrade to the latest version"), VerificationFindingKind.ChainReupgradeFailed, "re-upgrade to the latest version", ct);
    }

    /// <summary>
    /// The seeded upward pass: from an empty database, each version's generic rows at N-1 and its upgrade,
    /// leaving a template at the start of every segment.
    /// </summary>
    private async Task RunUpwardPassAsync(IReadOnlyDictionary<int, TaskCompletionSource<TestDatabase?>> templates, CancellationToken ct)
    {
        try
        {
            var db = await NewDatabaseAsync(ct);
            var at = 0;
            await using var session = new MigrationSession(settings, db);
            foreach (var (version, template) in templates.OrderBy(t => t.Key))
            {
                for (; at < version; at++)
                {
                    if (!await UpwardStepAsync(settings, session, at + 1, ct))
                    {
                        return;
                    }
                }

                var clone = await session.CloneAsync(ct);
                databases.Add(clone);
                template.TrySetResult(clone);
            }
        }
        finally
        {
            foreach (var template in templates.Values)
            {
                template.TrySetResult(null);
            }
        }
    }

    /// <summary>
    /// What happens to a database's rows on the way from N-1 to N when nothing is checked: the version's
    /// generic rows (and its test's own seed), then the upgrade; an upgrade that fails on generic rows is
    /// retried without them, as the check does. False when the version cannot be applied at all.
    /// </summary>
    internal static async Task<bool> UpwardStepAsync(VerifySettings settings, MigrationSession session, int version, CancellationToken ct)
    {
        var hooks = settings.HooksFor(version);
        await VersionSeed.SeedAsync(settings, version, session.ConnectionString, ct);
        if (hooks.Seed is not null)
        {
            try
            {
                await hooks.Seed(new VersionContext(settings.Schema, version, session.ConnectionString, settings.UsersPrefix));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The version's check runs the same seed and reports its failure.
            }
        }

        if (await TryUpgradeAsync(settings, session, version, ct))
        {
            return true;
        }

        if (hooks.HasOwnSeed)
        {
            return false;
        }

        await VersionSeed.TruncateAllAsync(session.ConnectionString, ct);
        return await TryUpgradeAsync(settings, session, version, ct);
    }

    /// <summary>One upgrade, bounded by the version timeout; false when it fails or takes too long (it is rolled back).</summary>
    private static async Task<bool> TryUpgradeAsync(VerifySettings settings, MigrationSession session, int version, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.VersionTimeout);
        try
        {
            await session.Migrator.UpgradeAsync(version, timeout.Token);
            return true;
        }
        catch (MigrationException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private void ReportDrift(IReadOnlyList<CheckFinding> drift, string when)
    {
        foreach (var finding in drift)
        {
            var kind = finding.Kind is FindingKind.MissingTable or FindingKind.ExtraTable or FindingKind.MissingColumn or FindingKind.ExtraColumn or FindingKind.ColumnType
                ? VerificationFindingKind.ColumnDrift
                : VerificationFindingKind.GrantDrift;
            Chain(kind, options.Schema.LatestVersion, kind == VerificationFindingKind.ColumnDrift ? "tables.yml" : "access.yml", $"{finding.Message} ({when})", dedupeBy: finding.Message);
        }
    }

    /// <summary>
    /// Runs one migrator step on the chain database; a failure is a finding and stops the chain. The step
    /// may take the version timeout once per version of the directory.
    /// </summary>
    private async Task<bool> ChainStepAsync(TestDatabase db, Func<Migrator, CancellationToken, Task> step, VerificationFindingKind failureKind, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = settings.VersionTimeout * Math.Max(1, options.Schema.LatestVersion);
        timeout.CancelAfter(limit);
        try
        {
            await using var migrator = new Migrator(options.Schema, db.ConnectionString, settings.MigratorOptions());
            await step(migrator, timeout.Token);
            return true;
        }
        catch (MigrationException e)
        {
            Chain(failureKind, e.Version, $"version {e.Version}", $"{what} on an empty database failed: {OnlineRecorder.FirstLines(e.Message)}");
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Chain(VerificationFindingKind.VersionTimeout, null, "chain", $"{what} on an empty database did not finish within {limit.TotalSeconds:0} s (the version timeout once per version); it was cancelled");
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
                NotVerified(v, "the upward pass could not reach the version before it");
            }

            return;
        }

        var db = await start.CloneAsync(ct);
        databases.Add(db);
        var session = new MigrationSession(settings, db);
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
                var data = result.Rows is var (before, atN, after) ? $"; rows {before} at {version - 1}, {atN} at {version}, {after} after the downgrade" : string.Empty;
                Progress($"v{version:D4} {verdict} in {stopwatch.ElapsedMilliseconds} ms ({phases}; {result.SeededRows} rows seeded{data})");
                if (!result.ChainIntact && version < segment.Last)
                {
                    // The database may not hold what the upward pass leaves at this version: rebuild that
                    // state from the segment's template, so the next version starts where it would in any run.
                    await session.DisposeAsync();
                    db = await start.CloneAsync(ct);
                    databases.Add(db);
                    session = new MigrationSession(settings, db);
                    catalog = null;
                    for (var v = segment.First; v <= version; v++)
                    {
                        if (!await UpwardStepAsync(settings, session, v, ct))
                        {
                            for (var rest = version + 1; rest <= segment.Last; rest++)
                            {
                                NotVerified(rest, $"version {v} cannot be applied");
                            }

                            return;
                        }
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

    private void Chain(VerificationFindingKind kind, int? version, string subject, string message, string? dedupeBy = null)
    {
        // The same drift after the upgrade and after the re-upgrade is one fact.
        if (!chainFacts.TryAdd((kind, subject, dedupeBy ?? message), 0))
        {
            return;
        }

        findings.Add(new VerificationFinding(FindingSeverity.Defect, kind, version, subject, message));
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
        await ServiceUsers.DropRolesAsync(connection, settings.UsersPrefix);
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
