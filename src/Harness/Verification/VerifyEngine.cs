using System.Diagnostics;
using Tcdb.Policy;
using Tcdb.Runs;
using Tcdb.Schema;
using Tcdb.Servers;

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
    private readonly List<VerificationFinding> findings = [];

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

        var segments = Segments(from, to, Math.Max(1, options.Jobs)).Select(s => new SegmentCheck(run, s.First, s.Last)).ToList();
        var chainCheck = new ChainCheck(run);
        await using (var scope = new RunScope(server, run.RolePrefix, options.Progress))
        {
            // The seeded upward pass leaves a template at the start of every segment.
            var templates = new TemplateChain(scope, (db, start, end, ct) => UpwardPass.RunAsync(run, db, start, end, ct));
            var upward = templates.Prepare(segments.Select(s => s.First - 1), cancellationToken);
            var chain = from == 1 && to == latest ? chainCheck.RunAsync(scope, cancellationToken) : Task.CompletedTask;
            var work = segments.Select(s => s.RunAsync(scope, templates, cancellationToken)).ToList();
            await Task.WhenAll(work.Append(chain).Append(upward));
        }

        findings.AddRange(chainCheck.Findings);
        findings.AddRange(segments.SelectMany(s => s.Findings));
        var ordered = segments.SelectMany(s => s.Results).OrderBy(r => r.Version).ToList();
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
