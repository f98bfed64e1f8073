using Tcdb.Cost;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb cost</c>: what each version costs in production — locks, rewrites, scans, online batch cost, time at size.</summary>
public sealed class CostCommand : ICommand
{
    public string Name => "cost";

    public string Summary => "measure each version's locks, rewrites, scans and online batch cost, and estimate them at production size";

    public string Usage => $"""
        usage: tcdb cost [--db-dir DIR] [--admin-db-url URL | --pg MAJOR] [--versions A..B] [--stats FILE | --rows N]
                         [--budget 10s] [--scales 2000,20000,200000] [--lock-probe] [--report FILE]
                         [--batch-size N] [--growth-factor F] [--seed N]

        For each version, databases at N-1 are seeded at each scale (rows in the tables the version touches) and
        upgraded and downgraded. Recorded per table: the strongest lock and how long it was held, rewrites,
        index builds, full scans, the transaction's time; how many tables are held in ACCESS EXCLUSIVE mode at
        once. Online migrations run batch by batch: a batch whose cost grows with progress (it rescans from the
        start) is a defect. Times are fitted against rows and estimated at the --rows / --stats size; a lock that
        blocks reads or writes for longer than --budget makes the version over budget.

          --db-dir DIR         the db directory (default ./db), or a schema .json file
          --admin-db-url URL   a server to use (superuser URL); tcdb creates and drops its own databases there
          --pg MAJOR           otherwise a throwaway cluster of this major (default $PG_VERSION or 15)
          --versions A..B      measure only versions A to B (also A.. or ..B)
          --rows N             estimate at N rows in every touched table (or --stats)
        {CostArguments.Help}
          --report FILE        also write a report: .json, or .md (with an .svg chart beside it)
          --seed N             seed of the generated rows (default 1)

        exit codes: 0 within budget, 1 a version over budget or a defect, 2 unusable input (directory, arguments, stats file, server)
        """;

    public IReadOnlySet<string> ValueOptions { get; } =
        new HashSet<string>(["db-dir", "admin-db-url", "pg", "versions", "rows", "report", "seed", .. CostArguments.ValueOptions]);

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string>(["help", .. CostArguments.FlagOptions]);

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var serverChoice = ServerOption.Resolve(args);
        var report = ReportOption.Get(args, CostReportWriter.SupportedExtensions, ".json or .md");

        var source = DbDirectoryOption.Source(args);
        var schema = DbDirectoryOption.Load(args);
        var options = CostArguments.Parse(args, schema, "rows");
        var (from, to) = VersionsOption.Parse(args, schema);
        var log = context.Out;
        log.WriteLine($"tcdb cost: {source}: versions {from}..{to} of {schema.LatestVersion} at {string.Join(", ", options.Scales)} rows per touched table");
        await using var server = await ServerOption.StartAsync(args, serverChoice, log, context.CancellationToken);

        var engine = new CostEngine(server, options with
        {
            FromVersion = from,
            ToVersion = to,
            Seed = args.GetInt("seed") ?? options.Seed,
            Progress = log.WriteLine,
        });
        var result = await engine.RunAsync(context.CancellationToken);
        log.WriteLine();
        log.Write(CostReportWriter.Text(result));
        if (report is not null)
        {
            foreach (var file in CostReportWriter.Write(result, report))
            {
                log.WriteLine($"report: {file}");
            }
        }

        return result.HasFindings ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
