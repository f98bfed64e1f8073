using System.Globalization;
using Tcdb.Cost;
using Tcdb.Schema;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb cost</c>: what each version costs in production — locks, rewrites, scans, online batch cost, time at size.</summary>
public sealed class CostCommand : ICommand
{
    public string Name => "cost";

    public string Summary => "measure each version's locks, rewrites, scans and online batch cost, and estimate them at production size";

    public string Usage => """
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
          --stats FILE         production sizes written by `tcdb stats`: estimate at those row counts
          --rows N             or: estimate at N rows in every touched table
          --budget DURATION    longest a blocking lock may be held, e.g. 500ms, 10s, 5m (default: no budget)
          --scales LIST        rows per touched table, one database each (default 2000,20000,200000)
          --lock-probe         while each version runs, two sessions read and write the first table it locks
                               against writes and report how long each waited
          --report FILE        also write a report: .json, or .md (with an .svg chart beside it)
          --batch-size N       items per online batch while profiling (default largest scale / 100)
          --growth-factor F    rise of cost per item from the first online batches to the last that is a defect (default 3)
          --seed N             seed of the generated rows (default 1)

        exit codes: 0 within budget, 1 a version over budget or a defect, 2 unusable input (directory, arguments, stats file, server)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>
    {
        "db-dir", "admin-db-url", "pg", "versions", "stats", "rows", "budget", "scales", "report", "batch-size", "growth-factor", "seed",
    };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "lock-probe", "help" };

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        ServerChoice.CheckOptions(args);

        if (args.Has("stats") && args.Has("rows"))
        {
            throw new UsageException("give either --stats or --rows, not both");
        }

        var report = args.Get("report");
        if (report is not null && !CostReportWriter.SupportedExtensions.Contains(Path.GetExtension(report).ToLowerInvariant()))
        {
            throw new UsageException($"--report {report}: the extension chooses the format: .json or .md");
        }

        var budget = args.Get("budget") is { } budgetText ? Parse("budget", budgetText, Quantities.ParseDuration) : (TimeSpan?)null;
        var scales = ParseScales(args.Get("scales"));
        var growth = args.Get("growth-factor") is { } growthText
            ? Parse("growth-factor", growthText, t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture))
            : 3;
        if (growth <= 1)
        {
            throw new UsageException("--growth-factor must be greater than 1");
        }

        var batchSize = args.GetInt("batch-size");
        if (batchSize < 1)
        {
            throw new UsageException("--batch-size must be at least 1");
        }

        var source = args.Get("db-dir", "db");
        DbSchema schema;
        CostTarget? target = null;
        try
        {
            schema = source.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? SchemaJson.ReadFile(source) : SchemaLoader.Load(source);
        }
        catch (SchemaLoadException e)
        {
            context.Error.WriteLine($"tcdb cost: cannot load {source}:");
            context.Error.WriteLine(e.Message);
            return ExitCodes.UnusableInput;
        }

        try
        {
            if (args.Get("stats") is { } statsFile)
            {
                target = new CostTarget { Stats = ProductionStats.Load(statsFile) };
            }
        }
        catch (StatsFileException e)
        {
            context.Error.WriteLine($"tcdb cost: {e.Message}");
            return ExitCodes.UnusableInput;
        }

        if (args.GetInt("rows") is { } rows)
        {
            target = new CostTarget { RowsPerTable = rows };
        }

        var (from, to) = VerifyCommand.ParseRange(args.Get("versions"), schema.LatestVersion);
        var log = context.Out;
        log.WriteLine($"tcdb cost: {source}: versions {from}..{to} of {schema.LatestVersion} at {string.Join(", ", scales)} rows per touched table");
        await using var server = await ServerChoice.StartAsync(args, context.CancellationToken);
        log.WriteLine($"server: {server.Description}");

        var engine = new CostEngine(server, new CostOptions
        {
            Schema = schema,
            FromVersion = from,
            ToVersion = to,
            Scales = scales,
            OnlineBatchSize = batchSize,
            LockProbe = args.Has("lock-probe"),
            Seed = args.GetInt("seed") ?? 1,
            GrowthFactor = growth,
            Target = target,
            Budget = budget,
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

    private static T Parse<T>(string option, string text, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--{option} {text}: {e.Message}");
        }
    }

    /// <summary>Parses <c>2000,20000,200000</c>: distinct positive row counts.</summary>
    internal static IReadOnlyList<int> ParseScales(string? text)
    {
        if (text is null)
        {
            return CostOptions.DefaultScales;
        }

        var scales = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var rows) || rows < 1)
            {
                throw new UsageException($"--scales {text}: '{part}' is not a positive row count (write e.g. 2000,20000,200000)");
            }

            scales.Add(rows);
        }

        if (scales.Distinct().Count() != scales.Count)
        {
            throw new UsageException($"--scales {text}: each scale once");
        }

        return scales.Order().ToList();
    }
}
