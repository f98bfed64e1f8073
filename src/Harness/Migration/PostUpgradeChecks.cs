using Npgsql;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>What kind of drift a <see cref="CheckFinding"/> reports.</summary>
public enum FindingKind
{
    UnexpectedGrant,
    MissingGrant,
    ColumnOnlyGrant,
    RoleAttribute,
    RoleMembership,
    MissingTable,
    ExtraTable,
    MissingColumn,
    ExtraColumn,
    ColumnType,
}

/// <summary>One difference between the database and access.yml or tables.yml, as one line.</summary>
public sealed record CheckFinding(FindingKind Kind, string Message)
{
    public override string ToString() => Message;
}

/// <summary>
/// The checks run after an upgrade to the latest version: the grants of every role with the users prefix
/// equal access.yml (read = SELECT; write = SELECT, INSERT, UPDATE, DELETE; column-level grants count),
/// no such role has a dangerous attribute or a membership, and the public tables' columns equal tables.yml.
/// </summary>
public static class PostUpgradeChecks
{
    private static readonly string[] ReadPrivileges = ["SELECT"];
    private static readonly string[] WritePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE"];

    /// <summary>Grant, attribute and membership drift of the roles <c>&lt;prefix&gt;_*</c>.</summary>
    public static async Task<IReadOnlyList<CheckFinding>> CheckGrantsAsync(
        NpgsqlConnection connection, DbSchema schema, RolePrefix prefix, CancellationToken cancellationToken = default)
    {
        var pattern = prefix.RoleLikePattern;
        var findings = new List<CheckFinding>();

        var expected = new SortedSet<(string Role, string Privilege, string Table)>();
        foreach (var service in schema.Access)
        {
            foreach (var (table, access) in service.Tables)
            {
                foreach (var privilege in access == TableAccess.Read ? ReadPrivileges : WritePrivileges)
                {
                    expected.Add((prefix.RoleFor(service.Name), privilege, table));
                }
            }
        }

        // Table-level grants from relacl, column-level grants from attacl (read from the catalogs, so the
        // result does not depend on who granted them, unlike information_schema).
        var tableGrants = (await Sql.ListAsync(
            connection,
            """
            select r.rolname, a.privilege_type, c.relname
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            cross join lateral aclexplode(c.relacl) a
            join pg_roles r on r.oid = a.grantee
            where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
              and c.relname <> 'tcversion' and r.rolname like $1
            """,
            r => (r.GetString(0), r.GetString(1), r.GetString(2)),
            cancellationToken,
            pattern)).ToHashSet();
        var columnGrants = await Sql.ListAsync(
            connection,
            """
            select r.rolname, a.privilege_type, c.relname, string_agg(att.attname, ', ' order by att.attnum)
            from pg_attribute att
            join pg_class c on c.oid = att.attrelid
            join pg_namespace n on n.oid = c.relnamespace
            cross join lateral aclexplode(att.attacl) a
            join pg_roles r on r.oid = a.grantee
            where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
              and c.relname <> 'tcversion' and r.rolname like $1
              and att.attnum > 0 and not att.attisdropped
            group by r.rolname, a.privilege_type, c.relname
            """,
            r => (Role: r.GetString(0), Privilege: r.GetString(1), Table: r.GetString(2), Columns: r.GetString(3)),
            cancellationToken,
            pattern);

        foreach (var grant in tableGrants.Where(g => !expected.Contains(g)).Order())
        {
            findings.Add(new(FindingKind.UnexpectedGrant, $"unexpected database user grant: {grant.Item1}: {grant.Item2} on {grant.Item3}"));
        }

        foreach (var grant in columnGrants.Where(g => !tableGrants.Contains((g.Role, g.Privilege, g.Table))).OrderBy(g => (g.Role, g.Privilege, g.Table)))
        {
            findings.Add(expected.Contains((grant.Role, grant.Privilege, grant.Table))
                ? new(FindingKind.ColumnOnlyGrant, $"column-only database user grant: {grant.Role}: {grant.Privilege} on {grant.Table} is granted on columns ({grant.Columns}) instead of the whole table")
                : new(FindingKind.UnexpectedGrant, $"unexpected database user grant: {grant.Role}: {grant.Privilege} on {grant.Table} (columns {grant.Columns})"));
        }

        var columnOnly = columnGrants.Select(g => (g.Role, g.Privilege, g.Table)).ToHashSet();
        foreach (var grant in expected.Where(g => !tableGrants.Contains(g) && !columnOnly.Contains(g)))
        {
            findings.Add(new(FindingKind.MissingGrant, $"missing database user grant: {grant.Role}: {grant.Privilege} on {grant.Table}"));
        }

        var attributes = await Sql.ListAsync(
            connection,
            """
            select rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
            from pg_roles where rolname like $1 order by rolname
            """,
            r => (Role: r.GetString(0), Flags: new[] { (r.GetBoolean(1), "SUPERUSER"), (r.GetBoolean(2), "CREATEROLE"), (r.GetBoolean(3), "CREATEDB"), (r.GetBoolean(4), "REPLICATION"), (r.GetBoolean(5), "BYPASSRLS") }),
            cancellationToken,
            pattern);
        foreach (var (role, flags) in attributes)
        {
            findings.AddRange(flags.Where(f => f.Item1).Select(f => new CheckFinding(FindingKind.RoleAttribute, $"{role} has attribute {f.Item2}")));
        }

        var memberships = await Sql.ListAsync(
            connection,
            """
            select m.rolname, g.rolname
            from pg_auth_members am
            join pg_roles m on m.oid = am.member
            join pg_roles g on g.oid = am.roleid
            where m.rolname like $1
            order by m.rolname, g.rolname
            """,
            r => (Member: r.GetString(0), Group: r.GetString(1)),
            cancellationToken,
            pattern);
        findings.AddRange(memberships.Select(m => new CheckFinding(FindingKind.RoleMembership, $"{m.Member} has unexpected role {m.Group}")));
        return findings;
    }

    /// <summary>Differences between the ordinary tables of schema public (except tcversion) and tables.yml.</summary>
    public static async Task<IReadOnlyList<CheckFinding>> CheckColumnsAsync(NpgsqlConnection connection, DbSchema schema, CancellationToken cancellationToken = default)
    {
        // format_type prints public types unqualified only when public is on the search_path.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, "set local search_path = public", cancellationToken);
        var rows = await Sql.ListAsync(
            connection,
            """
            select c.relname, a.attname,
                   pg_catalog.format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'tcversion'
            """,
            r => (Table: r.GetString(0), Column: r.IsDBNull(1) ? null : r.GetString(1), Type: r.IsDBNull(2) ? null : r.GetString(2)),
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var actual = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (table, column, type) in rows)
        {
            var columns = actual.TryGetValue(table, out var existing) ? existing : actual[table] = new(StringComparer.Ordinal);
            if (column is not null)
            {
                columns[column] = type!;
            }
        }

        var findings = new List<CheckFinding>();
        foreach (var table in schema.Tables.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            var inYaml = schema.Tables.TryGetValue(table, out var expectedColumns);
            if (!actual.TryGetValue(table, out var actualColumns))
            {
                findings.Add(new(FindingKind.MissingTable, $"table {table} is in tables.yml but not in the database"));
                continue;
            }

            if (!inYaml)
            {
                findings.Add(new(FindingKind.ExtraTable, $"table {table} is in the database but not in tables.yml"));
                continue;
            }

            foreach (var column in expectedColumns!.Keys.Union(actualColumns.Keys).Order(StringComparer.Ordinal))
            {
                var hasExpected = expectedColumns.TryGetValue(column, out var expectedType);
                var hasActual = actualColumns.TryGetValue(column, out var actualType);
                if (!hasActual)
                {
                    findings.Add(new(FindingKind.MissingColumn, $"column {table}.{column} ({expectedType}) is in tables.yml but not in the database"));
                }
                else if (!hasExpected)
                {
                    findings.Add(new(FindingKind.ExtraColumn, $"column {table}.{column} ({actualType}) is in the database but not in tables.yml"));
                }
                else if (expectedType != actualType)
                {
                    findings.Add(new(FindingKind.ColumnType, $"column {table}.{column}: tables.yml expects '{expectedType}' but the database has '{actualType}'"));
                }
            }
        }

        return findings;
    }
}
