using Bogus;

namespace Tcdb.Seeding;

/// <summary>How <see cref="Seeder"/> fills a database.</summary>
public sealed record SeedOptions
{
    /// <summary>The seed every table's and column's randomizer derives from: same seed, same data.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Rows per table unless a <see cref="TableSeedRule"/> says otherwise.</summary>
    public int RowsPerTable { get; init; } = 100;

    /// <summary>Schemas whose tables are filled (default <c>public</c>).</summary>
    public IReadOnlyList<string> Schemas { get; init; } = ["public"];

    /// <summary>Qualified names of tables never touched; default the harness's <c>public.tcversion</c>.</summary>
    public IReadOnlySet<string> ExcludedTables { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "public.tcversion" };

    /// <summary>Per qualified table name: row count and column generators overriding the defaults.</summary>
    public IReadOnlyDictionary<string, TableSeedRule> Tables { get; init; } = new Dictionary<string, TableSeedRule>(StringComparer.Ordinal);

    /// <summary>Generation rounds per table before the shortfall is reported (values violating a check or a unique key are regenerated).</summary>
    public int MaxAttempts { get; init; } = 5;
}

/// <summary>Overrides for one table: its row count and Bogus rules for some columns.</summary>
public sealed record TableSeedRule
{
    /// <summary>Rows to insert (null: <see cref="SeedOptions.RowsPerTable"/>; 0: leave the table empty).</summary>
    public int? Rows { get; init; }

    /// <summary>
    /// Column name to a Bogus rule. The rule gets a <see cref="Faker"/> seeded for that column and
    /// returns a value Npgsql writes for the column's type (null for SQL null). The faker's
    /// <see cref="Faker.IndexFaker"/> holds the row number, the same for every column of the row.
    /// </summary>
    public IReadOnlyDictionary<string, Func<Faker, object?>> Columns { get; init; } = new Dictionary<string, Func<Faker, object?>>(StringComparer.Ordinal);
}

/// <summary>What <see cref="Seeder.SeedAsync"/> did: rows per table and the tables it could not fill.</summary>
public sealed record SeedReport(IReadOnlyDictionary<string, int> RowsInserted, IReadOnlyList<UnfilledTable> Unfilled, TimeSpan Elapsed)
{
    public int TotalRows => RowsInserted.Values.Sum();
}

/// <summary>A table that got fewer rows than asked, and why.</summary>
public sealed record UnfilledTable(string Table, int RowsInserted, int RowsWanted, string Reason)
{
    public override string ToString() => $"{Table}: {RowsInserted} of {RowsWanted} rows: {Reason}";
}
