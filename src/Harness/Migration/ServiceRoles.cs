using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>
/// The password of a service role, derived as the design RFC says ("hashing the admin password with the
/// service name"): lowercase hex of HMAC-SHA256 keyed with the UTF-8 admin password over the UTF-8 service
/// name as written in access.yml. Deployments compute the same value to configure each service.
/// </summary>
public static class ServicePassword
{
    public static string Derive(string adminPassword, string serviceName) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(adminPassword), Encoding.UTF8.GetBytes(serviceName)));

    /// <summary>
    /// <paramref name="adminConnectionString"/> logged in as the service role of <paramref name="service"/> instead,
    /// with the password <see cref="Derive"/> gives when the admin has one (as the migrator sets it with
    /// <see cref="ServicePasswords.DerivedFromAdminPassword"/>).
    /// </summary>
    public static string ConnectionString(string adminConnectionString, RolePrefix prefix, string service)
    {
        var adminPassword = new NpgsqlConnectionStringBuilder(adminConnectionString).Password;
        var password = string.IsNullOrEmpty(adminPassword) ? null : Derive(adminPassword, service);
        return ConnectionStrings.WithUser(adminConnectionString, prefix.RoleFor(service), password);
    }
}

/// <summary>Creates the service roles (one login role per service of access.yml), gives them what every service needs, and drops them.</summary>
internal static class ServiceRoles
{
    /// <summary>
    /// Roles are cluster-wide: two migrators of one process (parallel verify jobs on different databases) setting
    /// the same role's password at once make one fail with "tuple concurrently updated" and lose its connection.
    /// </summary>
    private static readonly SemaphoreSlim PasswordGate = new(1, 1);

    /// <summary>Creates missing roles (and sets derived passwords) for every service of access.yml.</summary>
    public static async Task EnsureRolesAsync(
        NpgsqlConnection connection, DbSchema schema, MigratorOptions options, string? adminPassword, Action<string> report, CancellationToken cancellationToken)
    {
        // One look-up for all the roles: an upgrade of a directory with many services is run once per version.
        var roles = schema.Access.Select(s => options.RolePrefix.RoleFor(s.Name)).ToArray();
        var existing = (await Sql.ListAsync(connection, "select rolname::text from pg_roles where rolname = any($1)", r => r.GetString(0), cancellationToken, [roles])).ToHashSet(StringComparer.Ordinal);
        foreach (var service in schema.Access)
        {
            var role = options.RolePrefix.RoleFor(service.Name);
            if (!existing.Contains(role))
            {
                try
                {
                    await Sql.ExecuteAsync(connection, "create role " + Sql.Identifier(role) + " login", cancellationToken);
                    if (options.CreatedRoleComment is { } comment)
                    {
                        await Sql.ExecuteAsync(connection, "comment on role " + Sql.Identifier(role) + " is " + Sql.Literal(comment), cancellationToken);
                    }

                    report($"created service role {role}");
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
                {
                    // Created concurrently by another upgrader.
                }
            }

            if (options.ServicePasswords == ServicePasswords.DerivedFromAdminPassword && !string.IsNullOrEmpty(adminPassword))
            {
                // The derived password is lowercase hex, so it is a safe literal.
                var password = ServicePassword.Derive(adminPassword, service.Name);
                await PasswordGate.WaitAsync(cancellationToken);
                try
                {
                    await Sql.ExecuteAsync(connection, "alter role " + Sql.Identifier(role) + " password '" + password + "'", cancellationToken);
                }
                finally
                {
                    PasswordGate.Release();
                }
            }
        }
    }

    /// <summary>
    /// Usage on schema public and select on tcversion for every service role, granted only to the roles whose
    /// privilege is not in the object's access list yet. A grant rewrites the object's catalog row even when it
    /// changes nothing, and a rewritten schema row makes every session of the database plan its prepared
    /// statements again.
    /// </summary>
    public static async Task GrantBasicsAsync(NpgsqlConnection connection, DbSchema schema, RolePrefix prefix, CancellationToken cancellationToken)
    {
        if (schema.Access.Count == 0)
        {
            return;
        }

        // Per privilege (and the object it is on, when that exists), the service roles not in its access list.
        var roles = schema.Access.Select(s => prefix.RoleFor(s.Name)).ToArray();
        var missing = await Sql.ListAsync(
            connection,
            """
            select p.privilege || ' on ' || p.target, r.name
            from unnest($1::text[]) r(name) left join pg_roles g on g.rolname = r.name
              cross join (values ('usage', 'schema public', (select n.nspacl from pg_namespace n where n.nspname = 'public'), true),
                                 ('select', 'public.tcversion', (select c.relacl from pg_class c where c.oid = to_regclass('public.tcversion')), to_regclass('public.tcversion') is not null)
                         ) p(privilege, target, acl, present)
            where p.present and not exists (select from aclexplode(p.acl) a where a.grantee = g.oid and lower(a.privilege_type) = p.privilege)
            """,
            r => (Privilege: r.GetString(0), Role: r.GetString(1)),
            cancellationToken,
            [roles]);
        var grants = string.Join("; ", missing.GroupBy(m => m.Privilege).Select(g => $"grant {g.Key} to {string.Join(", ", g.Select(m => Sql.Identifier(m.Role)))}"));
        if (grants.Length > 0)
        {
            await Sql.ExecuteAsync(connection, grants, cancellationToken);
        }
    }

    /// <summary>
    /// Drops every service role of <paramref name="prefix"/> (roles are cluster-wide, so a run that created its own
    /// prefix removes them after dropping its databases). A role that a database still references (its grants or
    /// objects) stays; those are returned with the server's reason.
    /// </summary>
    public static async Task<IReadOnlyList<(string Role, string Reason)>> DropRolesAsync(NpgsqlConnection connection, RolePrefix prefix, CancellationToken cancellationToken = default)
    {
        var kept = new List<(string, string)>();
        var roles = await Sql.ListAsync(connection, "select rolname from pg_roles where starts_with(rolname, $1)", r => r.GetString(0), cancellationToken, prefix.RoleNameStart);
        foreach (var role in roles)
        {
            try
            {
                await Sql.ExecuteAsync(connection, "drop role if exists " + Sql.Identifier(role), cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
            {
                kept.Add((role, e.MessageText));
            }
        }

        return kept;
    }
}
