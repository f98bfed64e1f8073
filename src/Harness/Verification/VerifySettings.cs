using Tcdb.Migration;
using Tcdb.Schema;

namespace Tcdb.Verification;

/// <summary>Everything one verification of a db directory shares across versions.</summary>
public sealed record VerifySettings
{
    public required DbSchema Schema { get; init; }

    /// <summary>The role prefix of the databases this verification creates.</summary>
    public required RolePrefix RolePrefix { get; init; }

    /// <summary>Seed of the generic seeder and of the random interruption point.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Rows per empty table the generic seeder inserts before each version.</summary>
    public int RowsPerTable { get; init; } = 60;

    /// <summary>Treat "needs a version-specific seed" as a defect, not a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>Per version, what its own test adds (missing: the generic shape only).</summary>
    public IReadOnlyDictionary<int, VersionHooks> Hooks { get; init; } = new Dictionary<int, VersionHooks>();

    /// <summary>How long verifying one version may take before it is cancelled and reported.</summary>
    public TimeSpan VersionTimeout { get; init; } = VerifyOptions.DefaultVersionTimeout;

    /// <summary>Progress lines (one per step and version).</summary>
    public Action<string>? Progress { get; init; }

    private readonly Lazy<Seeding.Shapes.SqlShapes> shapes;

    public VerifySettings() => shapes = new Lazy<Seeding.Shapes.SqlShapes>(() => Seeding.Shapes.SqlShapes.Infer(Schema!));

    /// <summary>What the directory's SQL expects of its columns, for the generic seed (inferred once).</summary>
    internal Seeding.Shapes.SqlShapes Shapes => shapes.Value;

    public VersionHooks HooksFor(int version) => Hooks.GetValueOrDefault(version) ?? VersionHooks.None;

    /// <summary>Options of a migrator run on one of this verification's databases.</summary>
    internal MigratorOptions MigratorOptions(OnlineMigrationHooks? online = null) => Migration.MigratorOptions.ForRun(RolePrefix, online);
}
