using Tcdb.Verification;

namespace Tcdb.Mutation;

/// <summary>What became of a mutant.</summary>
public enum MutantStatus
{
    /// <summary>At least one check failed on the mutant that passes on the original version.</summary>
    Killed,

    /// <summary>Every check passed: nothing would catch this mistake.</summary>
    Survived,

    /// <summary>Same catalog and rows as the original after the upgrade and after the downgrade, and no check told them apart: discarded, not scored.</summary>
    Equivalent,
}

/// <summary>The check that told a mutant from the original.</summary>
public enum MutationCheck
{
    /// <summary>A policy error of <c>tcdb check</c> the original does not have.</summary>
    Policy,

    /// <summary>The upgrade, downgrade or re-upgrade fails (also: only on the seeded rows the original migrates), never completes or times out.</summary>
    FailsToApply,

    /// <summary>After the downgrade (or re-upgrade) the catalog differs from before it: a stray, missing or changed object.</summary>
    CatalogDiff,

    /// <summary>Rows held at N do not survive the downgrade and re-upgrade, or the downgrade alters rows the upgrade kept.</summary>
    DataDiff,

    /// <summary>A stored function cannot run after the upgrade or the downgrade.</summary>
    FunctionProbe,

    /// <summary>The online migration or downgrade misbehaves when interrupted and resumed.</summary>
    OnlineInterruption,

    /// <summary>Upgraded on to the latest version, grants differ from access.yml or columns from tables.yml.</summary>
    GrantsColumns,

    /// <summary>The version's own test fails: its hooks' assertions, or the NUnit test <c>--tests</c> runs.</summary>
    VersionTest,
}

/// <summary>One reason a mutant was killed: the check and the finding it made.</summary>
public sealed record MutantKill(MutationCheck Check, string Finding);

/// <summary>A mutant and its verdict; <see cref="Milliseconds"/> is what checking it took.</summary>
public sealed record MutantResult(Mutant Mutant, MutantStatus Status, IReadOnlyList<MutantKill> Kills, double Milliseconds)
{
    /// <summary>Warnings the mutant adds to the original's (a survivor with warnings was noticed, but nothing failed).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Each check that killed the mutant, once.</summary>
    public IReadOnlyList<MutationCheck> Checks => Kills.Select(k => k.Check).Distinct().Order().ToList();
}

/// <summary>The mutants of one version and their verdicts.</summary>
public sealed record VersionMutationResult(int Version, IReadOnlyList<MutantResult> Mutants)
{
    /// <summary>Why the version's mutants were not run (the original version fails, an earlier version cannot be applied), or null.</summary>
    public string? NotRun { get; init; }

    /// <summary>Mutants generated for the version (all of them, also when not run).</summary>
    public int Generated { get; init; }

    /// <summary>The original version's own defects: a mutant is killed only by findings the original does not have.</summary>
    public IReadOnlyList<string> OriginalDefects { get; init; } = [];

    /// <summary>Why the version's own NUnit test was not used, when <c>--tests</c> was given (it fails on the original, there is none).</summary>
    public string? VersionTestNote { get; init; }

    /// <summary>Preparing the version once: its template at N-1 and the original's two reference runs.</summary>
    public double SetupMilliseconds { get; init; }

    /// <summary>From the start of the version to its last mutant's verdict.</summary>
    public double Milliseconds { get; init; }

    public int Killed => Mutants.Count(m => m.Status == MutantStatus.Killed);

    public int Survived => Mutants.Count(m => m.Status == MutantStatus.Survived);

    public int Equivalent => Mutants.Count(m => m.Status == MutantStatus.Equivalent);

    /// <summary>Killed / (killed + survived), or null when no mutant counts.</summary>
    public double? Score => MutationScore.Of(Killed, Survived);
}

/// <summary>Everything a mutation run found.</summary>
public sealed record MutationReport(
    string DbDirectory,
    string Server,
    int FromVersion,
    int ToVersion,
    IReadOnlyList<VersionMutationResult> Versions,
    TimeSpan Elapsed)
{
    /// <summary>The NUnit project whose version tests ran on the survivors (<c>--tests</c>), or null.</summary>
    public string? VersionTests { get; init; }

    /// <summary>Mutants checked side by side.</summary>
    public int Jobs { get; init; } = 1;

    public int Killed => Versions.Sum(v => v.Killed);

    public int Survived => Versions.Sum(v => v.Survived);

    public int Equivalent => Versions.Sum(v => v.Equivalent);

    /// <summary>Over every version: killed / (killed + survived), or null when no mutant counts.</summary>
    public double? Score => MutationScore.Of(Killed, Survived);

    /// <summary>The mean time one mutant took (wall clock of its checks, with <see cref="Jobs"/> running at once), or null.</summary>
    public double? MillisecondsPerMutant
    {
        get
        {
            var times = Versions.SelectMany(v => v.Mutants).Select(m => m.Milliseconds).ToList();
            return times.Count == 0 ? null : times.Average();
        }
    }
}

/// <summary>The ids of the checks and which check each kind of finding belongs to.</summary>
public static class MutationChecks
{
    /// <summary>The stable id of a check, as printed and in reports.</summary>
    public static string Id(MutationCheck check) => check switch
    {
        MutationCheck.Policy => "policy",
        MutationCheck.FailsToApply => "fails-to-apply",
        MutationCheck.CatalogDiff => "catalog-diff",
        MutationCheck.DataDiff => "data-diff",
        MutationCheck.FunctionProbe => "function-probe",
        MutationCheck.OnlineInterruption => "online-interruption",
        MutationCheck.GrantsColumns => "grants-columns",
        MutationCheck.VersionTest => "version-test",
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, null),
    };

    /// <summary>The check a verification finding of <paramref name="kind"/> comes from.</summary>
    public static MutationCheck Of(VerificationFindingKind kind) => kind switch
    {
        VerificationFindingKind.Policy => MutationCheck.Policy,
        VerificationFindingKind.StrayObject or VerificationFindingKind.MissingObject or VerificationFindingKind.ChangedObject
            or VerificationFindingKind.ReupgradeDiffers or VerificationFindingKind.ChainLeftover => MutationCheck.CatalogDiff,
        VerificationFindingKind.DataChanged or VerificationFindingKind.DataDiscarded => MutationCheck.DataDiff,
        VerificationFindingKind.FunctionBroken => MutationCheck.FunctionProbe,
        VerificationFindingKind.OnlineMigration => MutationCheck.OnlineInterruption,
        VerificationFindingKind.GrantDrift or VerificationFindingKind.ColumnDrift => MutationCheck.GrantsColumns,
        _ => MutationCheck.FailsToApply,
    };
}

/// <summary>The mutation score: the share of the counted mutants (killed and survived; equivalent ones are not) that were killed.</summary>
public static class MutationScore
{
    public static double? Of(int killed, int survived) => killed + survived == 0 ? null : (double)killed / (killed + survived);

    /// <summary>e.g. <c>87.5%</c>, or <c>-</c> when nothing counts.</summary>
    public static string Format(double? score) =>
        score is { } s ? (s * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%" : "-";
}
