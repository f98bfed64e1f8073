using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>How test databases of a users prefix are upgraded and how their service roles log in.</summary>
public static class ServiceLogins
{
    /// <summary>Migrator options for test databases (any major; service passwords derived from the admin's, if it has one).</summary>
    public static MigratorOptions MigratorOptions(RolePrefix prefix, OnlineMigrationHooks? hooks = null) => new()
    {
        RolePrefix = prefix,
        ServicePasswords = ServicePasswords.DerivedFromAdminPassword,
        AcceptedMajorVersions = ServerVersionGate.Any,
        OnlineHooks = hooks,
        CreatedRoleComment = RunMark.Current.Comment,
    };
}
