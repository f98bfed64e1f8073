using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Seeding.Shapes;

namespace Tcdb.Verification;

/// <summary>
/// What every step of one verification shares across versions and databases: the options, the service-role
/// prefix of the databases it creates or was given, and what the directory's SQL expects of its columns
/// (inferred once, for the generic seed).
/// </summary>
internal sealed class VerificationRun
{
    private readonly Lazy<SqlShapes> shapes;

    public VerificationRun(VerifyOptions options, RolePrefix rolePrefix)
        : this(options, rolePrefix, new Lazy<SqlShapes>(() => SqlShapes.Infer(options.Schema)))
    {
    }

    private VerificationRun(VerifyOptions options, RolePrefix rolePrefix, Lazy<SqlShapes> shapes)
    {
        Options = options;
        RolePrefix = rolePrefix;
        this.shapes = shapes;
    }

    /// <summary>
    /// The same run with other options (a mutated schema, other hooks) whose generic rows keep the shapes inferred
    /// from this run's schema, so both seed the same rows.
    /// </summary>
    public VerificationRun WithOptions(VerifyOptions other) => new(other, RolePrefix, shapes);

    public VerifyOptions Options { get; }

    public Schema.DbSchema Schema => Options.Schema;

    /// <summary>The role prefix of this run's service roles.</summary>
    public RolePrefix RolePrefix { get; }

    /// <summary>What the directory's SQL expects of its columns, for the generic seed.</summary>
    public SqlShapes Shapes => shapes.Value;

    /// <summary>Options of a migrator run on one of this verification's databases.</summary>
    public MigratorOptions MigratorOptions(OnlineMigrationHooks? online = null) => Migration.MigratorOptions.ForRun(RolePrefix, online);
}
