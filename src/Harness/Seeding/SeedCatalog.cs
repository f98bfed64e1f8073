using Npgsql;
using Tcdb.Servers;
using Tcdb.Snapshots;

namespace Tcdb.Seeding;

/// <summary>A column as the seeder sees it: its base type (domains unwrapped) and how it may be filled.</summary>
internal sealed record SeedColumn(
    string Name,
    string SqlName,
    bool NotNull,
    string? Default,
    bool Identity,
    bool Generated,
    string BaseType,
    string BaseTypeSql,
    string BaseTypeSchema,
    bool IsEnum,
    string? ElementType,
    string? ElementTypeSchema,
    bool ElementIsEnum,
    int TypeModifier,
    string ColumnTypeSql,
    IReadOnlyList<string> Labels)
{
    /// <summary>The database fills it (identity, serial default, generated): the seeder leaves it out.</summary>
    public bool FilledByDatabase => Identity || Generated || (Default?.StartsWith("nextval(", StringComparison.Ordinal) ?? false);
}

internal sealed record SeedConstraint(string Name, char Type, IReadOnlyList<string> Columns, long ReferencedTable, string? ReferencedTableSql, IReadOnlyList<string> ReferencedColumns, string? Definition);

internal sealed record SeedTable(long Oid, string Name, string SqlName, IReadOnlyList<SeedColumn> Columns, IReadOnlyList<SeedConstraint> Constraints)
{
    public IEnumerable<SeedConstraint> ForeignKeys => Constraints.Where(c => c.Type == 'f');

    public IEnumerable<SeedConstraint> UniqueKeys => Constraints.Where(c => c.Type is 'p' or 'u');

    public IEnumerable<SeedConstraint> Checks => Constraints.Where(c => c.Type == 'c');

    public SeedColumn Column(string name) => Columns.First(c => c.Name == name);
}

/// <summary>
/// Reads the tables, columns, types and constraints the seeder needs from the catalog (in one reading, see
/// <see cref="CatalogReader"/>; names as the seeding session writes them).
/// </summary>
internal static class SeedCatalog
{
    /// <summary>Which relations <c>c</c> the seeder fills: ordinary and partitioned tables, not partitions (their parent is filled).</summary>
    public const string FilledRelations = "c.relkind in ('r', 'p') and not c.relispartition";

    public static Task<IReadOnlyList<SeedTable>> ReadAsync(NpgsqlConnection connection, IReadOnlyList<string> schemas, CancellationToken cancellationToken) =>
        CatalogReader.ReadAsync(connection, qualified: false, _ => ReadTablesAsync(connection, schemas.ToArray(), cancellationToken), cancellationToken);

    private static async Task<IReadOnlyList<SeedTable>> ReadTablesAsync(NpgsqlConnection connection, string[] schemas, CancellationToken cancellationToken)
    {
        var labels = (await Sql.ListPreparedAsync(
                connection,
                "select enumtypid::int8, array_agg(enumlabel::text order by enumsortorder) from pg_enum group by enumtypid",
                r => (Type: r.GetInt64(0), Labels: r.GetFieldValue<string[]>(1)),
                cancellationToken))
            .ToDictionary(e => e.Type, e => e.Labels);

        var inSchemas = Sql.NameArray(schemas);
        var columnSql = $"""
            select c.oid::int8, n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname), a.attname::text, quote_ident(a.attname),
              a.attnotnull or (t.typtype = 'd' and t.typnotnull), pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '', {CatalogQueries.Generated(connection.PostgreSqlVersion.Major)} <> '',
              b.oid::int8, b.typname::text, bn.nspname::text, b.typtype = 'e',
              e.oid::int8, e.typname::text, en.nspname::text, coalesce(e.typtype = 'e', false),
              case when t.typtype = 'd' then t.typtypmod else a.atttypmod end,
              format_type(b.oid, case when t.typtype = 'd' then t.typtypmod else a.atttypmod end),
              format_type(a.atttypid, a.atttypmod)
            from pg_attribute a
              join pg_class c on c.oid = a.attrelid
              join pg_namespace n on n.oid = c.relnamespace
              join pg_type t on t.oid = a.atttypid
              join pg_type b on b.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
              join pg_namespace bn on bn.oid = b.typnamespace
              left join pg_type e on e.oid = b.typelem and b.typcategory = 'A'
              left join pg_namespace en on en.oid = e.typnamespace
              left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
            where n.nspname = any({inSchemas}) and {FilledRelations} and a.attnum > 0 and not a.attisdropped
            order by 2, a.attnum
            """;
        var columnRows = await Sql.ListPreparedAsync(
            connection,
            columnSql,
            reader =>
            {
                var baseOid = reader.GetInt64(9);
                long? elementOid = reader.IsDBNull(13) ? null : reader.GetInt64(13);
                var column = new SeedColumn(
                    Name: reader.GetString(3),
                    SqlName: reader.GetString(4),
                    NotNull: reader.GetBoolean(5),
                    Default: reader.IsDBNull(6) ? null : reader.GetString(6),
                    Identity: reader.GetBoolean(7),
                    Generated: reader.GetBoolean(8),
                    BaseType: reader.GetString(10),
                    BaseTypeSql: reader.GetString(18),
                    BaseTypeSchema: reader.GetString(11),
                    IsEnum: reader.GetBoolean(12),
                    ElementType: reader.IsDBNull(14) ? null : reader.GetString(14),
                    ElementTypeSchema: reader.IsDBNull(15) ? null : reader.GetString(15),
                    ElementIsEnum: reader.GetBoolean(16),
                    TypeModifier: reader.GetInt32(17),
                    ColumnTypeSql: reader.GetString(19),
                    Labels: labels.GetValueOrDefault(elementOid ?? baseOid) ?? []);
                return (Oid: reader.GetInt64(0), Name: reader.GetString(1), Sql: reader.GetString(2), Column: column);
            },
            cancellationToken);

        var constraintSql = $"""
            select co.conrelid::int8, co.contype::text, co.conname::text,
              array(select a.attname::text from unnest(co.conkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.n order by k.o),
              co.confrelid::int8,
              array(select a.attname::text from unnest(co.confkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = co.confrelid and a.attnum = k.n order by k.o),
              pg_get_constraintdef(co.oid), case when co.confrelid <> 0 then co.confrelid::regclass::text end
            from pg_constraint co join pg_class c on c.oid = co.conrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any({inSchemas}) and co.contype in ('p', 'u', 'f', 'c', 'x')
            union all
            select i.indrelid::int8, 'u', ic.relname::text,
              array(select a.attname::text from unnest(i.indkey) with ordinality k(n, o) join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.n order by k.o),
              0, array[]::text[], null, null
            from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_namespace n on n.oid = ic.relnamespace
            where n.nspname = any({inSchemas}) and i.indisunique and not i.indisprimary and i.indexprs is null
              and not exists (select 1 from pg_constraint co where co.conindid = i.indexrelid and co.contype in ('p', 'u', 'x'))
            order by 1, 3
            """;
        var constraints = (await Sql.ListPreparedAsync(
                connection,
                constraintSql,
                reader => (Oid: reader.GetInt64(0), Constraint: new SeedConstraint(
                    reader.GetString(2),
                    reader.GetString(1)[0],
                    reader.GetFieldValue<string[]>(3),
                    reader.GetInt64(4),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.GetFieldValue<string[]>(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6))),
                cancellationToken))
            .ToLookup(c => c.Oid, c => c.Constraint);

        return columnRows.GroupBy(r => r.Oid)
            .Select(g => new SeedTable(g.Key, g.First().Name, g.First().Sql, [.. g.Select(r => r.Column)], [.. constraints[g.Key]]))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
    }
}
