using System.Globalization;
using Tcdb.Servers;
using Tcdb.Verification;
using Tcdb.Verification.Reports;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb verify</c>: the main job — every version's upgrade, downgrade and re-upgrade, and the whole chain.</summary>
public sealed class VerifyCommand : ICommand
{
    public string Name => "verify";

    public string Summary => "verify every version of a db directory against a real PostgreSQL";

    public string Usage => $"""
        usage: tcdb verify [--db-dir DIR] [--admin-db-url URL | [--server KIND] [--pg MAJOR]] [--versions A..B] [--jobs N]
                           [--report FILE] [--strict] [--exhaustive] [--seed N] [--rows N] [--waivers FILE]
                           [--version-timeout DURATION] [--releases FILE] [--accepted FILE]
                           [--write-accepted FILE] [--cost [--cost-rows N | --stats FILE] [--budget D] ...]

        For each version N: a database at N-1 is seeded with generated rows and snapshotted, upgraded to N
        (with its online migration), checked, downgraded (catalog and rows must equal the snapshot: no
        stray or missing objects, no lost or altered data), upgraded again (the catalog must equal the first
        upgrade's), every stored function is called after each step, and versions with online work are
        interrupted and resumed. Then the whole chain 0 -> latest -> 0 -> latest: nothing may remain at 0,
        and at the latest version grants must equal access.yml and columns tables.yml. Policy errors of
        `tcdb check` are defects; warnings are reported, never fatal.

          --db-dir DIR        the db directory (default ./db), or a schema .json file
          --admin-db-url URL  a server to use (superuser URL); tcdb creates and drops its own databases there
          --server KIND       otherwise local: a throwaway cluster (the default), or docker[:IMAGE]: a container
                              of IMAGE (default postgres:<major>) through Testcontainers (default $TCDB_SERVER)
          --pg MAJOR          the major of that server (default $PG_VERSION or 15)
          --versions A..B     verify only versions A to B (also A.. or ..B; the whole chain runs only for 1..latest)
          --jobs N            chain segments verified side by side (default: number of cores)
          --report FILE       also write a report: .json, .md, or .xml (JUnit)
          --strict            an upgrade that only fails on generic seed rows is a defect, not a warning
          --exhaustive        take no shortcut: re-read every catalog object and table at each snapshot and
                              call every function at each step (same findings, slower; see README)
          --seed N            seed of the generated data and of random interruptions (default {VerifyOptions.DefaultSeed})
          --rows N            rows per table the generic seeder inserts (default {VerifyOptions.DefaultRowsPerTable})
          --waivers FILE      policy waiver file (default DIR/policy-waivers.yml when it exists)
          --releases FILE     which db version shipped in which release (default DIR/releases.txt when it
                              exists): deprecated functions must keep working within their window
          --accepted FILE     findings the project accepted, each with a reason (default
                              DIR/accepted-findings.yml when it exists): reported, never failing
          --write-accepted FILE  write the findings of this run as an accepted-findings file with empty
                              reasons, to fill in
          --cost              also measure what each version costs (as tcdb cost does): a version over
                              --budget or with a cost defect fails verification (kind cost); with it:
                              --cost-rows N (production rows per table) and the options of tcdb cost:
                              --stats, --budget, --scales, --lock-probe, --batch-size, --growth-factor
          --version-timeout D how long one version may take (default 10m; e.g. 90s): a version that takes
                              longer is cancelled, reported as version-timeout, and the run goes on

        exit codes: 0 everything holds, 1 defects found, 2 unusable input (directory, arguments, server)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(["db-dir", "admin-db-url", "server", "pg", "versions", "jobs", "report", "seed", "rows", "waivers", "version-timeout", "releases", "accepted", "write-accepted", "cost-rows", .. CostArguments.ValueOptions]);

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string>(["strict", "exhaustive", "help", "cost", .. CostArguments.FlagOptions]);

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var serverChoice = ServerOption.Resolve(args);
        var report = ReportOption.Get(args, ReportWriter.SupportedExtensions, ".json, .md or .xml (JUnit)");

        if (args.Get("write-accepted") is { } acceptedOutput)
        {
            OutputFile.Check("--write-accepted", acceptedOutput, createDirectory: true);
        }

        var jobs = args.GetInt("jobs") ?? Environment.ProcessorCount;
        if (jobs < 1)
        {
            throw new UsageException("--jobs must be at least 1");
        }

        var versionTimeout = args.GetDuration("version-timeout") ?? VerifyOptions.DefaultVersionTimeout;
        if (!args.Has("cost") && ((string[])["cost-rows", .. CostArguments.ValueOptions, .. CostArguments.FlagOptions]).FirstOrDefault(args.Has) is { } costOnly)
        {
            throw new UsageException($"--{costOnly} measures costs: add --cost");
        }

        var source = DbDirectoryOption.Source(args);
        var schema = DbDirectoryOption.Load(args);
        var waivers = DbDirectoryOption.Waivers(args);
        var releases = DbDirectoryOption.Releases(args);
        var accepted = DbDirectoryOption.Companion(args, "accepted", AcceptedFinding.DefaultFileName, AcceptedFinding.Load, []);
        var (from, to) = VersionsOption.Parse(args, schema);
        var costOptions = args.Has("cost") ? CostArguments.Parse(args, schema, "cost-rows") : null;
        var log = context.Out;
        log.WriteLine($"tcdb verify: {source}: versions {from}..{to} of {schema.LatestVersion}, {jobs} job(s)");

        await using var server = await ServerOption.StartAsync(args, serverChoice, log, context.CancellationToken);

        var engine = new VerifyEngine(server, new VerifyOptions
        {
            Schema = schema,
            FromVersion = from,
            ToVersion = to,
            Jobs = jobs,
            Strict = args.Has("strict"),
            Exhaustive = args.Has("exhaustive"),
            Seed = args.GetInt("seed") ?? VerifyOptions.DefaultSeed,
            RowsPerTable = args.GetInt("rows") ?? VerifyOptions.DefaultRowsPerTable,
            Waivers = waivers,
            Releases = releases,
            Accepted = accepted,
            VersionTimeout = versionTimeout,
            Progress = ConsoleText.Progress(log),
        });
        var result = await engine.RunAsync(context.CancellationToken);
        if (costOptions is not null)
        {
            result = await WithCostAsync(result, server, costOptions with { FromVersion = from, ToVersion = to, Seed = args.GetInt("seed") ?? VerifyOptions.DefaultSeed, Progress = log.WriteLine }, log, context.CancellationToken);
        }

        log.WriteLine();
        // One line per finding; notes (info) only in the reports. The reports keep the full text.
        foreach (var finding in result.Findings.Where(f => f.Severity != FindingSeverity.Info))
        {
            log.WriteLine(ConsoleText.OneLine(finding.ToString()));
        }

        if (report is not null)
        {
            ReportWriter.Write(result, report);
            log.WriteLine($"report: {report}");
        }

        if (args.Get("write-accepted") is { } acceptedOut)
        {
            File.WriteAllText(acceptedOut, AcceptedFinding.Render(result.Findings.Where(f => f.IsDefect)));
            log.WriteLine($"accepted-findings file with empty reasons: {acceptedOut} (write a reason for each entry)");
        }

        var extra = (result.InfoCount > 0 ? $", {result.InfoCount} note(s) in the report" : string.Empty) +
            (result.AcceptedCount > 0 ? $", {result.AcceptedCount} accepted" : string.Empty);
        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{(result.HasDefects ? "FAILED" : "passed")}: {result.Versions.Count} version(s) verified, {result.DefectCount} defect(s), {result.WarningCount} warning(s){extra} in {result.Elapsed.TotalSeconds:0.0} s"));
        return result.HasDefects ? ExitCodes.Findings : ExitCodes.Ok;
    }

    /// <summary>
    /// What <c>tcdb cost</c> measures, for the same versions on the same server: its table is printed, and
    /// every version over budget or with a cost defect becomes a <c>cost</c> defect of the verification.
    /// </summary>
    private static async Task<VerificationReport> WithCostAsync(VerificationReport result, IPostgresServer server, Tcdb.Cost.CostOptions options, TextWriter log, CancellationToken ct)
    {
        log.WriteLine();
        log.WriteLine("cost: measuring locks, rewrites, scans and online batches of each version");
        var cost = await new Tcdb.Cost.CostEngine(server, options).RunAsync(ct);
        log.WriteLine();
        log.Write(Tcdb.Cost.CostReportWriter.Text(cost));
        var findings = cost.Versions
            .Where(v => v.Status is Tcdb.Cost.CostStatus.OverBudget or Tcdb.Cost.CostStatus.Defect)
            .SelectMany(v => v.Reasons.DefaultIfEmpty(Tcdb.Cost.CostStatusText.Id(v.Status)).Select(reason =>
                new VerificationFinding(FindingSeverity.Defect, VerificationFindingKind.Cost, v.Version, $"version {v.Version}", $"{Tcdb.Cost.CostStatusText.Id(v.Status)}: {reason}")));
        return result with { Findings = result.Findings.Concat(findings).OrderBy(f => f.Version ?? 0).ThenBy(f => f.Severity).ToList() };
    }
}
