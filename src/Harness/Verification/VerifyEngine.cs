using System.Collections.Concurrent;
using System.Diagnostics;
using Tcdb.Migration;
using Tcdb.Policy;
using Tcdb.Runs;
using Tcdb.Schema;
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
    private readonly VerificationRun run;
    private readonly ConcurrentBag<VerificationFinding> findings = [];
    private readonly ConcurrentBag<VersionResult> results = [];
    private readonly ConcurrentDictionary<(VerificationFindingKind, string, string), byte> chainFacts = new();

    public VerifyEngine(IPostgresServer server, VerifyOptions options)
    {
        this.server = server;
        this.options = options;
        run = new VerificationRun(options, RolePrefix.Random("tcv"));
    }

    /// <summary>The role prefix of this run's databases.</summary>
    public RolePrefix RolePrefix => run.RolePrefix;

    public async Task<VerificationReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var latest = options.Schema.LatestVersion;
        var (from, to) = VersionRange.Within(latest, options.FromVersion, options.ToVersion);

        if (options.CheckPolicy)
        {
            CheckPolicy();
        }

        var segments = Segments(from, to, Math.Max(1, options.Jobs));
        await using (var scope = new RunScope(server, run.RolePrefix, options.Progress))
        {
            // The seeded upward pass leaves a template at the start of every segment.
            var templates = new TemplateChain(scope, UpwardPassAsync);
            var upward = templates.Prepare(segments.Select(s => s.First - 1), cancellationToken);
            var chain = from == 1 && to == latest ? RunChainAsync(scope, cancellationToken) : Task.CompletedTask;
            var work = segments.Select(s => RunSegmentAsync(s, scope, templates, cancellationToken)).ToList();
            await Task.WhenAll(work.Append(chain).Append(upward));
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
    private async Task RunChainAsync(RunScope scope, CancellationToken ct)
    {
        var db = await scope.CreateDatabaseAsync(ct);
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

        foreach (var difference in CatalogDiff.Compare(empty, await CatalogAsync(db, ct)).Where(d => d.IsDifference && !MigratorFootprint.Explains(d, run.RolePrefix)))
        {
            Chain(VerificationFindingKind.ChainLeftover, null, $"{CatalogObject.Describe(difference.ObjectKind)} {difference.QualifiedName}", $"{difference} (after downgrading every version to 0)");
        }

        await ChainStepAsync(db, async (m, t) => ReportDrift((await m.UpgradeAsync(null, t)).Findings, "after the re-upgrade to the latest version"), VerificationFindingKind.ChainReupgradeFailed, "re-upgrade to the latest version", ct);
    }

    /// <summary>
    /// The seeded upward pass from <paramref name="from"/> to <paramref name="to"/>: each version's generic rows at
    /// N-1 and its upgrade. False when a version cannot be applied.
    /// </summary>
    private async Task<bool> UpwardPassAsync(ServerDatabase db, int from, int to, CancellationToken ct)
    {
        await using var session = new MigrationSession(run, db);
        for (var version = from + 1; version <= to; version++)
        {
            if (!await UpwardStepAsync(run, session, version, ct))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What happens to a database's rows on the way from N-1 to N when nothing is checked: the version's
    /// generic rows (and its test's own seed), then the upgrade; an upgrade that fails on generic rows is
    /// retried without them, as the check does. False when the version cannot be applied at all.
    /// </summary>
    internal static async Task<bool> UpwardStepAsync(VerificationRun run, MigrationSession session, int version, CancellationToken ct)
    {
        var hooks = run.Options.HooksFor(version);
        await VersionSeed.SeedAsync(run, version, session.ConnectionString, ct);
        if (hooks.Seed is not null)
        {
            try
            {
                await hooks.Seed(new VersionContext(run.Schema, version, session.ConnectionString, run.RolePrefix));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The version's check runs the same seed and reports its failure.
            }
        }

        if (await TryUpgradeAsync(run, session, version, ct))
        {
            return true;
        }

        if (hooks.HasOwnSeed)
        {
            return false;
        }

        await VersionSeed.TruncateAllAsync(session.ConnectionString, ct);
        return await TryUpgradeAsync(run, session, version, ct);
    }

    /// <summary>One upgrade, bounded by the version timeout; false when it fails or takes too long (it is rolled back).</summary>
    private static async Task<bool> TryUpgradeAsync(VerificationRun run, MigrationSession session, int version, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(run.Options.VersionTimeout);
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
            var (kind, document) = finding.Document == DriftDocument.Tables
                ? (VerificationFindingKind.ColumnDrift, "tables.yml")
                : (VerificationFindingKind.GrantDrift, "access.yml");
            Chain(kind, options.Schema.LatestVersion, document, $"{finding.Message} ({when})", dedupeBy: finding.Message);
        }
    }

    /// <summary>
    /// Runs one migrator step on the chain database; a failure is a finding and stops the chain. The step
    /// may take the version timeout once per version of the directory.
    /// </summary>
    private async Task<bool> ChainStepAsync(ServerDatabase db, Func<Migrator, CancellationToken, Task> step, VerificationFindingKind failureKind, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = options.VersionTimeout * Math.Max(1, options.Schema.LatestVersion);
        timeout.CancelAfter(limit);
        try
        {
            await using var migrator = new Migrator(options.Schema, db.ConnectionString, run.MigratorOptions());
            await step(migrator, timeout.Token);
            return true;
        }
        catch (MigrationException e)
        {
            Chain(failureKind, e.Version, $"version {e.Version}", $"{what} on an empty database failed: {ErrorLines.First(e.Message)}");
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Chain(VerificationFindingKind.VersionTimeout, null, "chain", $"{what} on an empty database did not finish within {limit.TotalSeconds:0} s (the version timeout once per version); it was cancelled");
            return false;
        }
    }

    private async Task RunSegmentAsync((int First, int Last) segment, RunScope scope, TemplateChain templates, CancellationToken ct)
    {
        var start = await templates.TemplateAsync(segment.First - 1, ct);
        if (start is null)
        {
            for (var v = segment.First; v <= segment.Last; v++)
            {
                NotVerified(v, "the upward pass could not reach the version before it");
            }

            return;
        }

        var session = new MigrationSession(run, await scope.CloneAsync(start, ct));
        try
        {
            CatalogSnapshot? catalog = null;
            for (var version = segment.First; version <= segment.Last; version++)
            {
                var stopwatch = Stopwatch.StartNew();

                // The previous version ended at this version's N-1 on the same database: its last snapshot is our S0.
                var check = new VersionCheck(run, version, session);
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
                    session = new MigrationSession(run, await scope.CloneAsync(start, ct));
                    catalog = null;
                    for (var v = segment.First; v <= version; v++)
                    {
                        if (!await UpwardStepAsync(run, session, v, ct))
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

    private Task<CatalogSnapshot> CatalogAsync(ServerDatabase db, CancellationToken ct) => new DatabaseSnapshots(db.ConnectionString, run).CatalogAsync(ct);

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
}
