using Tcdb.Schema;

namespace Tcdb.Cost;

/// <summary>The production size measurements are extrapolated to: the same rows in every touched table, or a stats file.</summary>
public sealed record CostTarget
{
    /// <summary>Rows in each table a version touches (<c>--rows N</c>).</summary>
    public long? RowsPerTable { get; init; }

    /// <summary>Sizes read from a real database (<c>--stats FILE</c>).</summary>
    public ProductionStats? Stats { get; init; }

    /// <summary>Rows of <paramref name="tables"/> at this size, summed, and the tables the stats do not know.</summary>
    public (long Rows, IReadOnlyList<string> Unknown) RowsOf(IReadOnlyList<string> tables)
    {
        if (Stats is null)
        {
            return ((RowsPerTable ?? 0) * tables.Count, []);
        }

        var unknown = tables.Where(t => Stats.Find(t) is null).ToList();
        return (tables.Sum(t => Stats.Find(t)?.Rows ?? 0), unknown);
    }

    public override string ToString() => Stats is not null
        ? $"the sizes of {Stats.Source}"
        : $"{Quantities.Count(RowsPerTable ?? 0)} rows per touched table";
}

/// <summary>What <see cref="CostEngine"/> measures and how it judges it.</summary>
public sealed record CostOptions
{
    public required DbSchema Schema { get; init; }

    /// <summary>First version to measure (default 1).</summary>
    public int? FromVersion { get; init; }

    /// <summary>Last version to measure (default: latest).</summary>
    public int? ToVersion { get; init; }

    /// <summary>2 000, 20 000 and 200 000 rows per touched table.</summary>
    public static IReadOnlyList<int> DefaultScales { get; } = [2_000, 20_000, 200_000];

    /// <summary>Rows seeded into each table a version touches, one database per scale.</summary>
    public IReadOnlyList<int> Scales { get; init; } = DefaultScales;

    /// <summary>Rows seeded into the tables a version does not touch (parents of foreign keys need some).</summary>
    public int OtherTableRows { get; init; } = 10;

    /// <summary>Items per online batch while profiling (default: the largest scale / 100, between 10 and 10 000).</summary>
    public int? OnlineBatchSize { get; init; }

    /// <summary>Read and write the first table locked against writes from two other sessions while each version runs.</summary>
    public bool LockProbe { get; init; }

    /// <summary>Seed of the generated rows.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Rise of tuples read (or time) per item from an online migration's first batches to its last that is a defect.</summary>
    public double GrowthFactor { get; init; } = 3;

    /// <summary>Production size to extrapolate to (null: judge the largest measured scale).</summary>
    public CostTarget? Target { get; init; }

    /// <summary>Longest a lock that blocks reads or writes of an existing table may be held (null: no budget).</summary>
    public TimeSpan? Budget { get; init; }

    /// <summary>Progress lines.</summary>
    public Action<string>? Progress { get; init; }

    internal int BatchSize => OnlineBatchSize ?? Math.Clamp(Scales.Max() / 100, 10, 10_000);
}
