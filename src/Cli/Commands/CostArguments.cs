using System.Globalization;
using Tcdb.Cost;
using Tcdb.Schema;

namespace Tcdb.Cli.Commands;

/// <summary>
/// The options that choose how versions are costed (<c>tcdb cost</c>, and any command that adds cost
/// measurements): production size, budget, scales, lock probe, online batch size and growth factor.
/// </summary>
internal static class CostArguments
{
    public static readonly string[] ValueOptions = ["stats", "budget", "scales", "batch-size", "growth-factor"];

    public static readonly string[] FlagOptions = ["lock-probe"];

    public const string Help = """
          --stats FILE         production sizes written by `tcdb stats`: estimate at those row counts
          --budget DURATION    longest a blocking lock may be held, e.g. 500ms, 10s, 5m (default: no budget)
          --scales LIST        rows per touched table, one database each (default 2000,20000,200000)
          --lock-probe         while each version runs, two sessions read and write the first table it locks
                               against writes and report how long each waited
          --batch-size N       items per online batch while profiling (default largest scale / 100)
          --growth-factor F    rise of cost per item from the first online batches to the last that is a defect (default 3)
        """;

    /// <summary>
    /// The cost options given on the command line; <paramref name="rowsOption"/> names the option of a uniform
    /// production size (<c>rows</c> for <c>tcdb cost</c>), exclusive with <c>--stats</c>.
    /// </summary>
    /// <exception cref="UsageException">a value that cannot be used.</exception>
    /// <exception cref="StatsFileException">the stats file cannot be used.</exception>
    public static CostOptions Parse(CliArgs args, DbSchema schema, string rowsOption)
    {
        if (args.Has("stats") && args.Has(rowsOption))
        {
            throw new UsageException($"give either --stats or --{rowsOption}, not both");
        }

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

        var target = args.Get("stats") is { } statsFile
            ? new CostTarget { Stats = ProductionStats.Load(statsFile) }
            : args.GetInt(rowsOption) is { } rows ? new CostTarget { RowsPerTable = rows } : null;
        return new CostOptions
        {
            Schema = schema,
            Scales = ParseScales(args.Get("scales")),
            OnlineBatchSize = batchSize,
            LockProbe = args.Has("lock-probe"),
            GrowthFactor = growth,
            Target = target,
            Budget = args.Get("budget") is { } budgetText ? Parse("budget", budgetText, Quantities.ParseDuration) : null,
        };
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
}
