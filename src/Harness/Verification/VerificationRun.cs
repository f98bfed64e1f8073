using Tcdb.Migration;
using Tcdb.Seeding.Shapes;
using Tcdb.Servers;

namespace Tcdb.Verification;

/// <summary>
/// What every step of one verification shares across versions and databases: the options, the service-role
/// prefix of the databases it creates or was given, and what the directory's SQL expects of its columns
/// (inferred once, for the generic seed).
/// </summary>
internal sealed class VerificationRun
{
    private readonly Lazy<SqlShapes> shapes;

    public VerificationRun(VerifyOptions options, string usersPrefix)
    {
        Options = options;
        RolePrefix = usersPrefix;
        shapes = new Lazy<SqlShapes>(() => SqlShapes.Infer(options.Schema));
    }

    public VerifyOptions Options { get; }

    public Schema.DbSchema Schema => Options.Schema;

    /// <summary>Service roles of this run's databases are <c>&lt;RolePrefix&gt;_&lt;service&gt;</c>.</summary>
    public string RolePrefix { get; }

    /// <summary>What the directory's SQL expects of its columns, for the generic seed.</summary>
    public SqlShapes Shapes => shapes.Value;

    /// <summary>Options of a migrator run on one of this verification's databases.</summary>
    public MigratorOptions MigratorOptions(OnlineMigrationHooks? online = null) => new()
    {
        UsersPrefix = RolePrefix,
        ServicePasswords = ServicePasswords.DerivedFromAdminPassword,
        AcceptedMajorVersions = ServerVersionGate.Any,
        OnlineHooks = online,
        CreatedRoleComment = RunMark.Current.Comment,
    };
}
