using Tcdb.Policy;
using Tcdb.Schema;
using Tcdb.Verification;

namespace Tcdb.Mutation;

/// <summary>What <see cref="MutationEngine"/> mutates and how it checks the mutants.</summary>
public sealed record MutationOptions
{
    public required DbSchema Schema { get; init; }

    /// <summary>First version whose mutants run (default 1).</summary>
    public int? FromVersion { get; init; }

    /// <summary>Last version whose mutants run (default: latest).</summary>
    public int? ToVersion { get; init; }

    /// <summary>Mutants of one version checked side by side, each on its own clone of the version's template.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Seed of the generic rows and of the random interruption point, as for <c>tcdb verify</c>.</summary>
    public int Seed { get; init; } = VerifyOptions.DefaultSeed;

    public int RowsPerTable { get; init; } = VerifyOptions.DefaultRowsPerTable;

    /// <summary>
    /// The mutants of each version, when the caller generated them already (to count them up front); a version
    /// missing here gets <see cref="MutantGenerator"/>'s.
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyList<Mutant>> Mutants { get; init; } = new Dictionary<int, IReadOnlyList<Mutant>>();

    /// <summary>Per version, what its test adds to the shape (seed, assertions): its assertions are the version-test check.</summary>
    public IReadOnlyDictionary<int, VersionHooks> Hooks { get; init; } = new Dictionary<int, VersionHooks>();

    /// <summary>The version's own test run as a program on each mutant nothing else killed (<c>--tests</c>), or null.</summary>
    public IVersionTestRunner? VersionTests { get; init; }

    public IReadOnlyList<PolicyWaiver> Waivers { get; init; } = [];

    public ReleaseHistory? Releases { get; init; }

    public TimeSpan VersionTimeout { get; init; } = VerifyOptions.DefaultVersionTimeout;

    /// <summary>Progress lines; called from several threads.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>What a version's own test said about a db directory.</summary>
public enum VersionTestVerdict
{
    Passed,
    Failed,

    /// <summary>The project has no test for the version.</summary>
    NoTest,
}

/// <summary>A version test's verdict with what it printed about it (the failure's message, the reason there is none).</summary>
public sealed record VersionTestOutcome(VersionTestVerdict Verdict, string Detail);

/// <summary>Runs the test of one version against a db directory: the original one, or a mutant's.</summary>
public interface IVersionTestRunner
{
    /// <summary>How reports name it, e.g. <c>dotnet test tests/versions</c>.</summary>
    string Description { get; }

    /// <summary>Work done once before any version (building the project).</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Runs the test of <paramref name="version"/> against <paramref name="schema"/> on the run's server.</summary>
    Task<VersionTestOutcome> RunAsync(DbSchema schema, int version, string serverUrl, CancellationToken cancellationToken);
}
