using Npgsql;
using Tcdb.Schema;
using Tcdb.Snapshots;
using Tcdb.Verification;

namespace Tcdb.Mutation;

/// <summary>A database's catalog and rows at one moment (service roles of the run's prefix; tcversion left out).</summary>
internal sealed record StateSnapshot(CatalogSnapshot Catalog, DataSnapshot Data)
{
    public static async Task<StateSnapshot> TakeAsync(string connectionString, RolePrefix rolePrefix, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var catalog = await CatalogSnapshot.TakeAsync(connection, new CatalogSnapshotOptions { RolePrefix = rolePrefix }, ct);
        var data = await DataSnapshot.TakeAsync(connection, new DataSnapshotOptions { ExcludedTables = new HashSet<string>(StringComparer.Ordinal) { "public.tcversion" } }, ct);
        return new StateSnapshot(catalog, data);
    }
}

/// <summary>
/// Hooks that record the state a version's shape leaves after its upgrade and after its downgrade (the first
/// call of the after-upgrade checks, the second of the before-upgrade checks), then run the version's own.
/// </summary>
internal sealed class StateObserver(RolePrefix rolePrefix)
{
    private int afterUpgradeCalls;
    private int beforeUpgradeCalls;

    public StateSnapshot? AfterUpgrade { get; private set; }

    public StateSnapshot? AfterDowngrade { get; private set; }

    public VersionHooks Observe(VersionHooks hooks, CancellationToken ct) => hooks with
    {
        AssertAfterUpgrade = async context =>
        {
            if (++afterUpgradeCalls == 1)
            {
                AfterUpgrade = await TakeAsync(context, ct);
            }

            if (hooks.AssertAfterUpgrade is { } check)
            {
                await check(context);
            }
        },
        AssertBeforeUpgrade = async context =>
        {
            if (++beforeUpgradeCalls == 2)
            {
                AfterDowngrade = await TakeAsync(context, ct);
            }

            if (hooks.AssertBeforeUpgrade is { } check)
            {
                await check(context);
            }
        },
    };

    private async Task<StateSnapshot?> TakeAsync(VersionContext context, CancellationToken ct)
    {
        try
        {
            return await StateSnapshot.TakeAsync(context.ConnectionString, rolePrefix, ct);
        }
        catch (NpgsqlException)
        {
            // Without the state the mutant is never judged equivalent; the shape reports what went wrong.
            return null;
        }
    }
}

/// <summary>Whether a mutant was killed (and by what), survived, or is equivalent.</summary>
internal sealed record MutantVerdict(MutantStatus Status, IReadOnlyList<MutantKill> Kills, IReadOnlyList<string> Warnings);

/// <summary>
/// Judges a mutant's findings against the original version's: a defect the original does not have (same kind
/// and object) or a policy error it does not have kills the mutant. A mutant nothing killed whose catalog and
/// rows after the upgrade and after the downgrade equal the original's (values the version generates aside) is
/// equivalent.
/// </summary>
internal sealed class MutantJudge
{
    private readonly HashSet<(VerificationFindingKind, string)> originalDefects;
    private readonly HashSet<(VerificationFindingKind, string)> originalWarnings;
    private readonly IReadOnlySet<string> originalPolicy;
    private readonly StateObserver reference;
    private readonly (GeneratedValues AfterUpgrade, GeneratedValues AfterDowngrade) generated;

    public MutantJudge(
        IReadOnlyList<VerificationFinding> original,
        IReadOnlySet<string> originalPolicy,
        StateObserver reference,
        (GeneratedValues AfterUpgrade, GeneratedValues AfterDowngrade) generated)
    {
        originalDefects = original.Where(f => f.IsDefect).Select(f => (f.Kind, f.Object)).ToHashSet();
        originalWarnings = original.Where(f => !f.IsDefect).Select(f => (f.Kind, f.Object)).ToHashSet();
        this.originalPolicy = originalPolicy;
        this.reference = reference;
        this.generated = generated;
    }

    public MutantVerdict Judge(IReadOnlyList<VerificationFinding> findings, IReadOnlySet<string> policy, StateObserver observed)
    {
        var kills = policy.Where(p => !originalPolicy.Contains(p)).Order(StringComparer.Ordinal)
            .Select(p => new MutantKill(MutationCheck.Policy, p))
            .Concat(findings.Where(f => f.IsDefect && !originalDefects.Contains((f.Kind, f.Object))).Select(f => new MutantKill(MutationChecks.Of(f.Kind), f.ToString())))
            .ToList();
        var warnings = findings.Where(f => f.Severity == FindingSeverity.Warning && !originalWarnings.Contains((f.Kind, f.Object)) && !originalDefects.Contains((f.Kind, f.Object)))
            .Select(f => f.ToString())
            .ToList();
        if (kills.Count > 0)
        {
            return new MutantVerdict(MutantStatus.Killed, kills, warnings);
        }

        return new MutantVerdict(Equivalent(observed) ? MutantStatus.Equivalent : MutantStatus.Survived, [], warnings);
    }

    private bool Equivalent(StateObserver observed) =>
        reference.AfterUpgrade is { } up && reference.AfterDowngrade is { } down
        && observed.AfterUpgrade is { } mutantUp && observed.AfterDowngrade is { } mutantDown
        && Same(up, mutantUp, generated.AfterUpgrade)
        && Same(down, mutantDown, generated.AfterDowngrade);

    private static bool Same(StateSnapshot expected, StateSnapshot actual, GeneratedValues generatedValues)
    {
        if (CatalogDiff.Compare(expected.Catalog, actual.Catalog).Any(d => d.IsDifference))
        {
            return false;
        }

        var differences = DataDiff.Compare(expected.Data, actual.Data, new DataDiffOptions { IgnoredColumns = generatedValues.Columns, MaxRowsPerTable = 1 });
        foreach (var difference in differences)
        {
            // Rows of a table whose keys the version generates are only counted.
            if (!generatedValues.RekeyedTables.Contains(difference.Table) || difference.Kind is not (DataDifferenceKind.RowLost or DataDifferenceKind.RowAdded or DataDifferenceKind.MoreRows))
            {
                return false;
            }
        }

        return generatedValues.RekeyedTables.All(t => expected.Data.Find(t)?.RowCount == actual.Data.Find(t)?.RowCount);
    }
}
