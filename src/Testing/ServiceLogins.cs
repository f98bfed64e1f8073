using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>How test databases of a users prefix are upgraded and how their service roles log in.</summary>
public static class ServiceLogins
{
    /// <summary>
    /// <paramref name="adminConnectionString"/> logged in as the role of <paramref name="service"/> instead; its password
    /// is derived from the admin's when the admin has one (as <see cref="MigratorOptions(string, OnlineMigrationHooks?)"/> sets them).
    /// </summary>
    public static string ConnectionString(DbSchema schema, string usersPrefix, string adminConnectionString, string service)
    {
        var role = schema.FindService(service)?.RoleName(usersPrefix) ?? $"{usersPrefix}_{service.Replace('-', '_')}";
        var adminPassword = new NpgsqlConnectionStringBuilder(adminConnectionString).Password;
        var password = string.IsNullOrEmpty(adminPassword) ? null : ServicePassword.Derive(adminPassword, service);
        return ConnectionStrings.WithUser(adminConnectionString, role, password);
    }

    /// <summary>Migrator options for test databases (any major; service passwords derived from the admin's, if it has one).</summary>
    public static MigratorOptions MigratorOptions(string usersPrefix, OnlineMigrationHooks? hooks = null) => new()
    {
        UsersPrefix = usersPrefix,
        ServicePasswords = ServicePasswords.DerivedFromAdminPassword,
        AcceptedMajorVersions = ServerVersionGate.Any,
        OnlineHooks = hooks,
        CreatedRoleComment = RunMark.Current.Comment,
    };
}
