using Tcdb.Policy;
using Tcdb.Schema;

namespace Tcdb.Verification;

/// <summary>What <see cref="VerifyEngine"/> verifies and how.</summary>
public sealed record VerifyOptions
{
    public required DbSchema Schema { get; init; }

    /// <summary>First version to verify (default 1).</summary>
    public int? FromVersion { get; init; }

    /// <summary>Last version to verify (default: latest).</summary>
    public int? ToVersion { get; init; }

    /// <summary>Versions verified side by side, each chain segment on its own database (default: cores).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Treat "needs a version-specific seed" as a defect.</summary>
    public bool Strict { get; init; }

    public int Seed { get; init; } = 1;

    public int RowsPerTable { get; init; } = 60;

    /// <summary>Per version, what its own test adds.</summary>
    public IReadOnlyDictionary<int, VersionHooks> Hooks { get; init; } = new Dictionary<int, VersionHooks>();

    /// <summary>Policy waivers (see tcdb check).</summary>
    public IReadOnlyList<PolicyWaiver> Waivers { get; init; } = [];

    /// <summary>Run the static policy rules (errors are defects, warnings are reported).</summary>
    public bool CheckPolicy { get; init; } = true;

    /// <summary>Progress lines; called from several threads.</summary>
    public Action<string>? Progress { get; init; }
}
