using Tcdb.Schema;
using Tcdb.Snapshots;

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

/// <summary>The document of the db directory a <see cref="CheckFinding"/> contradicts.</summary>
public enum DriftDocument
{
    /// <summary>access.yml: grants, role attributes and memberships of the service roles.</summary>
    Access,

    /// <summary>tables.yml: the tables and columns of schema public.</summary>
    Tables,
}

/// <summary>One difference between the database and access.yml or tables.yml, as one line.</summary>
public sealed record CheckFinding(FindingKind Kind, string Message)
{
    /// <summary>Which document the database contradicts, by the kind of drift.</summary>
    public DriftDocument Document => Kind switch
    {
        FindingKind.MissingTable or FindingKind.ExtraTable or FindingKind.MissingColumn or FindingKind.ExtraColumn or FindingKind.ColumnType => DriftDocument.Tables,
        _ => DriftDocument.Access,
    };

    public override string ToString() => Message;
}

/// <summary>
/// The checks run after an upgrade to the latest version, as functions of the database's
/// <see cref="CatalogSnapshot"/>: the grants of every service role equal access.yml (read = SELECT;
/// write = SELECT, INSERT, UPDATE, DELETE; column-level grants count), no service role has a dangerous
/// attribute or a membership, and the public tables' columns equal tables.yml. The table tcversion
/// belongs to the migrator and is not checked.
/// </summary>
public static class PostUpgradeChecks
{
    private const string VersionTable = "tcversion";
    private static readonly string[] ReadPrivileges = ["SELECT"];
    private static readonly string[] WritePrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE"];
    private static readonly (string Property, string Attribute)[] DangerousAttributes =
        [("superuser", "SUPERUSER"), ("create role", "CREATEROLE"), ("create db", "CREATEDB"), ("replication", "REPLICATION"), ("bypass rls", "BYPASSRLS")];

    // How a relation of schema public is named in a grant of a snapshot: "<privilege>[ (<column>)] on <kind> public.<name> to <role>".
    private static readonly string[] RelationMarkers = [" on table public.", " on view public.", " on materialized view public."];

    /// <summary>What the checks read of a catalog: tables, columns, the service roles and their grants.</summary>
    public static CatalogSnapshotOptions SnapshotOptions(RolePrefix prefix) => new()
    {
        RolePrefix = prefix,
        IncludePublicGrants = false,
        Kinds = new HashSet<CatalogObjectKind> { CatalogObjectKind.Table, CatalogObjectKind.Column, CatalogObjectKind.Grant, CatalogObjectKind.Role },
    };

    /// <summary>
    /// Grant, attribute and membership drift of the service roles of <paramref name="prefix"/> in <paramref name="catalog"/>
    /// (taken with their grants and roles, see <see cref="SnapshotOptions"/>) against <paramref name="access"/>.
    /// </summary>
    public static IReadOnlyList<CheckFinding> GrantDrift(CatalogSnapshot catalog, IReadOnlyList<ServiceAccess> access, RolePrefix prefix)
    {
        var expected = new SortedSet<(string Role, string Privilege, string Table)>();
        foreach (var service in access)
        {
            foreach (var (table, mode) in service.Tables)
            {
                foreach (var privilege in mode == TableAccess.Read ? ReadPrivileges : WritePrivileges)
                {
                    expected.Add((prefix.RoleFor(service.Name), privilege, table));
                }
            }
        }

        var tableGrants = new HashSet<(string, string, string)>();
        var columnGrants = new Dictionary<(string Role, string Privilege, string Table), List<string>>();
        foreach (var grant in catalog.Objects.Where(o => o.Kind == CatalogObjectKind.Grant))
        {
            if (RelationGrant(grant.Name, prefix) is not { } parsed || parsed.Table == VersionTable)
            {
                continue;
            }

            if (parsed.Column is null)
            {
                tableGrants.Add((parsed.Role, parsed.Privilege, parsed.Table));
            }
            else
            {
                var key = (parsed.Role, parsed.Privilege, parsed.Table);
                (columnGrants.TryGetValue(key, out var columns) ? columns : columnGrants[key] = []).Add(parsed.Column);
            }
        }

        var findings = new List<CheckFinding>();
        foreach (var grant in tableGrants.Where(g => !expected.Contains(g)).Order())
        {
            findings.Add(new(FindingKind.UnexpectedGrant, $"unexpected database user grant: {grant.Item1}: {grant.Item2} on {grant.Item3}"));
        }

        foreach (var (grant, columns) in columnGrants.Where(g => !tableGrants.Contains(g.Key)).OrderBy(g => g.Key))
        {
            var list = string.Join(", ", columns.OrderBy(c => catalog.Find(CatalogObjectKind.Column, $"public.{grant.Table}.{c}")?.Position ?? int.MaxValue).ThenBy(c => c, StringComparer.Ordinal));
            findings.Add(expected.Contains(grant)
                ? new(FindingKind.ColumnOnlyGrant, $"column-only database user grant: {grant.Role}: {grant.Privilege} on {grant.Table} is granted on columns ({list}) instead of the whole table")
                : new(FindingKind.UnexpectedGrant, $"unexpected database user grant: {grant.Role}: {grant.Privilege} on {grant.Table} (columns {list})"));
        }

        foreach (var grant in expected.Where(g => !tableGrants.Contains(g) && !columnGrants.ContainsKey(g)))
        {
            findings.Add(new(FindingKind.MissingGrant, $"missing database user grant: {grant.Role}: {grant.Privilege} on {grant.Table}"));
        }

        var roles = catalog.Objects.Where(o => o.Kind == CatalogObjectKind.Role && prefix.Matches(o.Name)).OrderBy(o => o.Name).ToList();
        foreach (var role in roles)
        {
            findings.AddRange(DangerousAttributes
                .Where(a => role.Properties.GetValueOrDefault(a.Property) == "yes")
                .Select(a => new CheckFinding(FindingKind.RoleAttribute, $"{role.Name} has attribute {a.Attribute}")));
        }

        foreach (var role in roles)
        {
            var groups = role.Properties.GetValueOrDefault("member of");
            if (!string.IsNullOrEmpty(groups))
            {
                findings.AddRange(groups.Split(", ").Select(g => new CheckFinding(FindingKind.RoleMembership, $"{role.Name} has unexpected role {g}")));
            }
        }

        return findings;
    }

    /// <summary>
    /// Differences between the ordinary tables of schema public in <paramref name="catalog"/> (taken with tables and
    /// columns) and <paramref name="tables"/> (tables.yml: table to column to type, <c>not null</c> appended).
    /// Types print as with <c>search_path = public</c>: types of schema public unqualified.
    /// </summary>
    public static IReadOnlyList<CheckFinding> ColumnDrift(CatalogSnapshot catalog, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> tables)
    {
        var actual = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var table in catalog.Objects.Where(o => o.Kind == CatalogObjectKind.Table))
        {
            if (table.Name.StartsWith("public.", StringComparison.Ordinal) && table.Name != "public." + VersionTable
                && !table.Properties.ContainsKey("foreign") && !table.Properties.ContainsKey("partition key"))
            {
                actual[table.Name["public.".Length..]] = new(StringComparer.Ordinal);
            }
        }

        foreach (var column in catalog.Objects.Where(o => o.Kind == CatalogObjectKind.Column))
        {
            if (TableOf(column.Name, actual) is var (table, name))
            {
                var type = column.Properties.GetValueOrDefault("type") ?? string.Empty;
                type = type.StartsWith("public.", StringComparison.Ordinal) ? type["public.".Length..] : type;
                actual[table][name] = type + (column.Properties.GetValueOrDefault("nullable") == "no" ? " not null" : string.Empty);
            }
        }

        var findings = new List<CheckFinding>();
        foreach (var table in tables.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            var inYaml = tables.TryGetValue(table, out var expectedColumns);
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

    /// <summary>The role, privilege, table and column (null: the whole table) of a grant on a relation of schema public to a service role.</summary>
    private static (string Role, string Privilege, string Table, string? Column)? RelationGrant(string grant, RolePrefix prefix)
    {
        var to = grant.LastIndexOf(" to " + prefix.RoleNameStart, StringComparison.Ordinal);
        if (to < 0)
        {
            return null;
        }

        var role = grant[(to + " to ".Length)..];
        var on = grant[..to];
        var (at, marker) = RelationMarkers.Select(m => (At: on.LastIndexOf(m, StringComparison.Ordinal), Marker: m)).MaxBy(m => m.At);
        if (at < 0)
        {
            return null;
        }

        var table = on[(at + marker.Length)..];
        var privilege = on[..at];
        var open = privilege.IndexOf(" (", StringComparison.Ordinal);
        return open < 0 || !privilege.EndsWith(')')
            ? (role, privilege, table, null)
            : (role, privilege[..open], table, privilege[(open + 2)..^1]);
    }

    /// <summary>The table (of <paramref name="tables"/>) and column a column object <c>public.&lt;table&gt;.&lt;column&gt;</c> names; the longest table name wins.</summary>
    private static (string Table, string Column)? TableOf(string column, Dictionary<string, Dictionary<string, string>> tables)
    {
        if (!column.StartsWith("public.", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = column["public.".Length..];
        for (var dot = rest.LastIndexOf('.'); dot > 0; dot = rest.LastIndexOf('.', dot - 1))
        {
            if (tables.ContainsKey(rest[..dot]))
            {
                return (rest[..dot], rest[(dot + 1)..]);
            }
        }

        return null;
    }
}
