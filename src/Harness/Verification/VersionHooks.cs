using Tcdb.Migration;
using Tcdb.Seeding;

namespace Tcdb.Verification;

/// <summary>Where an online migration or downgrade is when <see cref="VersionHooks.DuringOnlineWork"/> runs.</summary>
public enum OnlineCheckpoint
{
    /// <summary>The version's script has run (the database is at N for a migration, N-1 for a downgrade); no batch yet.</summary>
    BeforeFirstBatch,

    /// <summary>Several batches have run; the data is half migrated.</summary>
    MidOnline,

    /// <summary>The online work is complete.</summary>
    Done,
}

/// <summary>
/// What a version's own test adds to the generic shape: seed data, assertions at N-1 and N, checks while
/// online work runs, and columns a downgrade legitimately regenerates. Every member is optional. The hooks
/// are the test's own code: an exception one throws (a failed assertion) is not a finding but ends the
/// version's check and reaches the caller as it is, so a test framework reports it once, where it was raised.
/// </summary>
public sealed record VersionHooks
{
    /// <summary>Rows the version's test inserts at N-1, after the generic seed.</summary>
    public Func<VersionContext, Task>? Seed { get; init; }

    /// <summary>Bogus rules overriding the generic seeder per qualified table (e.g. <c>public.widgets</c>).</summary>
    public IReadOnlyDictionary<string, TableSeedRule> SeedRules { get; init; } = new Dictionary<string, TableSeedRule>(StringComparer.Ordinal);

    /// <summary>Rows per table for the generic seeder (null: the engine's default).</summary>
    public int? RowsPerTable { get; init; }

    /// <summary>Checks of the state at N-1: after seeding, and again after the downgrade.</summary>
    public Func<VersionContext, Task>? AssertBeforeUpgrade { get; init; }

    /// <summary>Checks of the state at N: after the upgrade, and again after the re-upgrade.</summary>
    public Func<VersionContext, Task>? AssertAfterUpgrade { get; init; }

    /// <summary>Checks that services keep working while online work runs, awaited at each checkpoint.</summary>
    public Func<VersionContext, OnlineDirection, OnlineCheckpoint, Task>? DuringOnlineWork { get; init; }

    /// <summary><c>table.column</c> (or <c>schema.table.column</c>) values a downgrade may legitimately regenerate.</summary>
    public IReadOnlyCollection<string> RegeneratedColumns { get; init; } = [];

    /// <summary>
    /// Rows after the downgrade must equal the rows before the upgrade, even where the upgrade discards data
    /// (by default such differences are the warning <c>data-discarded</c>).
    /// </summary>
    public bool StrictDowngradeData { get; init; }

    /// <summary><see cref="RegeneratedColumns"/> per qualified table (<c>public.</c> when the entry names none).</summary>
    internal IReadOnlyDictionary<string, IReadOnlyCollection<string>> RegeneratedColumnsByTable()
    {
        var byTable = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
        foreach (var entry in RegeneratedColumns)
        {
            var dot = entry.LastIndexOf('.');
            if (dot <= 0)
            {
                continue;
            }

            var table = entry[..dot];
            table = table.Contains('.', StringComparison.Ordinal) ? table : "public." + table;
            byTable[table] = (byTable.GetValueOrDefault(table) ?? []).Append(entry[(dot + 1)..]).ToList();
        }

        return byTable;
    }

    /// <summary>True when the test brings its own data: then a failing upgrade is always a defect.</summary>
    public bool HasOwnSeed => Seed is not null || SeedRules.Count > 0;

    /// <summary>True when the test runs code of its own during the check (a seed, assertions, online checks).</summary>
    internal bool RunsCode => Seed is not null || AssertBeforeUpgrade is not null || AssertAfterUpgrade is not null || DuringOnlineWork is not null;

    public static VersionHooks None { get; } = new();
}
