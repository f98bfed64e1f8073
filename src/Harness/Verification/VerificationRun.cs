using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Seeding.Shapes;

namespace Tcdb.Verification;

/// <summary>
/// What every step of one verification shares across versions and databases: the options, the service-role
/// prefix of the databases it creates or was given, what the directory's SQL expects of its columns
/// (inferred once, for the generic seed), and the shortcuts' caches (<see cref="VerifyShortcuts"/>).
/// </summary>
internal sealed class VerificationRun
{
    private readonly Lazy<SqlShapes> shapes;

    public VerificationRun(VerifyOptions options, RolePrefix rolePrefix)
        : this(options, rolePrefix, new Lazy<SqlShapes>(() => SqlShapes.Infer(options.Schema)), null)
    {
    }

    private VerificationRun(VerifyOptions options, RolePrefix rolePrefix, Lazy<SqlShapes> shapes, VerifyShortcuts? shortcuts)
    {
        Options = options;
        RolePrefix = rolePrefix;
        this.shapes = shapes;
        Shortcuts = options.Exhaustive ? null : shortcuts ?? new VerifyShortcuts(options.ProbeSelection ?? new ProbeSelection());
    }

    /// <summary>
    /// The same run with other options (a mutated schema, other hooks) whose generic rows keep the shapes inferred
    /// from this run's schema, so both seed the same rows. The shortcuts' caches are kept too: what they hold is
    /// keyed by content (catalog rows, table rows, a call's whole footprint), never by the schema that made it.
    /// </summary>
    public VerificationRun WithOptions(VerifyOptions other) => new(other, RolePrefix, shapes, Shortcuts);

    public VerifyOptions Options { get; }

    public Schema.DbSchema Schema => Options.Schema;

    /// <summary>The role prefix of this run's service roles.</summary>
    public RolePrefix RolePrefix { get; }

    /// <summary>The work this run skips, with what it remembers to skip it; null when the options say exhaustive.</summary>
    public VerifyShortcuts? Shortcuts { get; }

    /// <summary>What the directory's SQL expects of its columns, for the generic seed.</summary>
    public SqlShapes Shapes => shapes.Value;

    /// <summary>Options of a migrator run on one of this verification's databases.</summary>
    public MigratorOptions MigratorOptions(OnlineMigrationHooks? online = null) => Migration.MigratorOptions.ForRun(RolePrefix, online);
}
