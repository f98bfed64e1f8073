using Tcdb.Policy;
using Tcdb.Schema;

namespace Tcdb.Verification;

/// <summary>
/// What a verification checks and how: the options of <see cref="VerifyEngine"/> (the whole directory) and of
/// <see cref="SingleVersionCheck"/> (one version; the range, jobs, policy and accepted findings do not apply).
/// Every default is here.
/// </summary>
public sealed record VerifyOptions
{
    /// <summary>Rows per empty table the generic seeder inserts before each version, unless a version's test says otherwise.</summary>
    public const int DefaultRowsPerTable = 60;

    /// <summary>Seed of the generated rows and of the random interruption point.</summary>
    public const int DefaultSeed = 1;

    public static TimeSpan DefaultVersionTimeout { get; } = TimeSpan.FromMinutes(10);

    public required DbSchema Schema { get; init; }

    /// <summary>First version to verify (default 1).</summary>
    public int? FromVersion { get; init; }

    /// <summary>Last version to verify (default: latest).</summary>
    public int? ToVersion { get; init; }

    /// <summary>Versions verified side by side, each chain segment on its own database (default: cores).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Treat "needs a version-specific seed" as a defect, not a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>Seed of the generic seeder and of the random interruption point.</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>Rows per empty table the generic seeder inserts before each version.</summary>
    public int RowsPerTable { get; init; } = DefaultRowsPerTable;

    /// <summary>Per version, what its own test adds (missing: the generic shape only).</summary>
    public IReadOnlyDictionary<int, VersionHooks> Hooks { get; init; } = new Dictionary<int, VersionHooks>();

    /// <summary>Policy waivers (see tcdb check).</summary>
    public IReadOnlyList<PolicyWaiver> Waivers { get; init; } = [];

    /// <summary>Which db version shipped in which release: the compatibility window of deprecated functions (none: unknown).</summary>
    public ReleaseHistory? Releases { get; init; }

    /// <summary>Findings the project accepted (see <see cref="AcceptedFinding"/>): reported, never failing.</summary>
    public IReadOnlyList<AcceptedFinding> Accepted { get; init; } = [];

    /// <summary>Run the static policy rules (errors are defects, warnings are reported).</summary>
    public bool CheckPolicy { get; init; } = true;

    /// <summary>
    /// How long verifying one version (every step of its shape) may take before it is cancelled and
    /// reported as <see cref="VerificationFindingKind.VersionTimeout"/>; the run goes on with the next version.
    /// </summary>
    public TimeSpan VersionTimeout { get; init; } = DefaultVersionTimeout;

    /// <summary>
    /// Take no shortcut: read every catalog object and every table at each snapshot and call every function at
    /// each step. The findings are the same either way; this is how that is checked.
    /// </summary>
    public bool Exhaustive { get; init; }

    /// <summary>Which function calls are repeated when not exhaustive (a test seam; default: by footprint).</summary>
    internal ProbeSelection? ProbeSelection { get; init; }

    /// <summary>Progress lines; called from several threads.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>What the version's own test adds to <paramref name="version"/>'s shape.</summary>
    public VersionHooks HooksFor(int version) => Hooks.GetValueOrDefault(version) ?? VersionHooks.None;
}
