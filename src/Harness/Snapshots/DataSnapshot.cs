using System.Data;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Snapshots;

/// <summary>What a <see cref="DataSnapshot"/> reads.</summary>
public sealed record DataSnapshotOptions
{
    /// <summary>Schemas whose ordinary tables are read (default <c>public</c>).</summary>
    public IReadOnlyList<string> Schemas { get; init; } = ["public"];

    /// <summary>Qualified names of tables not to read.</summary>
    public IReadOnlySet<string> ExcludedTables { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Tables of earlier snapshots of this database to reuse where no transaction has written the table since (see <see cref="DataSnapshotCache"/>); null reads every row of every table.
    /// </summary>
    public DataSnapshotCache? Reuse { get; init; }
}

/// <summary>
/// The rows of every table of a database, keyed by primary key (or by whole-row content where a
/// table has none) with one hash per row; compare two with <see cref="DataDiff"/>. Rows are streamed
/// as text in one repeatable-read transaction, never held as objects.
/// </summary>
public sealed class DataSnapshot
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // One row per table. The shape is every input to the text of a row besides the rows themselves: column names,
    // numbers and types (a column dropped and added again with a default is a new column number whose values no
    // row version records; a type change without a rewrite, e.g. timestamp to timestamptz under UTC, changes the
    // text), and the user-defined types the columns use, followed through element, base, range and attribute
    // types, each with the versions (xmin) of its catalog rows: enum labels, attributes. The last column is the
    // database's oid, the same on every row. $1 stands for the schemas; the statement runs prepared, with the schemas
    // written into its text (see Sql.ListPreparedAsync): planning it costs as much as running it.
    private const string TablesSql = """
        with recursive uses(rel, typ) as (
          select a.attrelid, a.atttypid from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
          where c.relkind = 'r' and n.nspname = any($1) and a.attnum > 0 and not a.attisdropped and a.atttypid >= 16384
          union
          select u.rel, x.typ from uses u join pg_type t on t.oid = u.typ
            cross join lateral (
              select t.typelem where t.typelem <> 0
              union all select t.typbasetype where t.typbasetype <> 0
              union all select r.rngsubtype from pg_range r where r.rngtypid = t.oid
              union all select a.atttypid from pg_attribute a where t.typrelid <> 0 and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
            ) x(typ)
          where x.typ >= 16384
        ),
        types(rel, digest) as (
          select u.rel, md5(string_agg(t.oid || ':' || t.xmin
              || ':' || coalesce((select string_agg(e.enumlabel || '=' || e.xmin, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '')
              || ':' || coalesce((select string_agg(a.attname || '=' || a.atttypid || '=' || a.xmin, ',' order by a.attnum) from pg_attribute a
                                  where t.typrelid <> 0 and a.attrelid = t.typrelid and a.attnum > 0), ''),
              ';' order by t.oid))
          from uses u join pg_type t on t.oid = u.typ
          group by u.rel
        )
        select format('%I.%I', n.nspname, c.relname), n.nspname || '.' || c.relname,
          array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
          array(select a.attname::text from pg_index i, unnest(i.indkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                where i.indrelid = c.oid and i.indisprimary order by k.ord),
          c.oid::bigint,
          (select string_agg(quote_ident(a.attname) || ' ' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod), ', ' order by a.attname)
             from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
          coalesce(ty.digest, ''),
          (select d.oid::text from pg_database d where d.datname = current_database())
        from pg_class c join pg_namespace n on n.oid = c.relnamespace left join types ty on ty.rel = c.oid
        where c.relkind = 'r' and n.nspname = any($1)
        order by 2
        """;

    private readonly Dictionary<string, TableData> byName;

    private DataSnapshot(IEnumerable<TableData> tables)
    {
        Tables = tables.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        byName = Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<TableData> Tables { get; }

    public TableData? Find(string qualifiedName) => byName.GetValueOrDefault(qualifiedName);

    /// <summary>
    /// Reads every table in one repeatable-read, read-only transaction (the connection must not be in one).
    /// With <see cref="DataSnapshotOptions.Reuse"/>, a table whose rows and shape are what an earlier
    /// snapshot recorded is taken from there instead of being read again.
    /// </summary>
    public static async Task<DataSnapshot> TakeAsync(NpgsqlConnection connection, DataSnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DataSnapshotOptions();
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using (var setup = new NpgsqlCommand("set transaction read only; set local timezone = 'UTC'; set local extra_float_digits = 3; set local datestyle = 'ISO, YMD'; set local intervalstyle = 'postgres'; set local bytea_output = 'hex'", connection, transaction))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        var shapes = new List<TableShape>();
        var database = string.Empty;
        await using (var command = await CatalogStatements.PrepareAsync(TablesSql.Replace("$1", Sql.NameArray(options.Schemas), StringComparison.Ordinal), connection, transaction, cancellationToken))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(1);
                if (!options.ExcludedTables.Contains(name))
                {
                    shapes.Add(new TableShape(
                        reader.GetString(0),
                        name,
                        reader.GetFieldValue<string[]>(2).Order(StringComparer.Ordinal).ToArray(),
                        reader.GetFieldValue<string[]>(3),
                        reader.GetInt64(4),
                        reader.IsDBNull(5) ? string.Empty : reader.GetString(5),
                        reader.GetString(6)));
                }

                database = reader.GetString(7);
            }
        }

        var tables = new TableData?[shapes.Count];
        var signatures = options.Reuse is null ? null : await SignaturesAsync(connection, transaction, database, shapes, cancellationToken);
        if (signatures is not null)
        {
            for (var i = 0; i < shapes.Count; i++)
            {
                tables[i] = options.Reuse!.Find(signatures[i]);
            }
        }

        var unread = Enumerable.Range(0, shapes.Count).Where(i => tables[i] is null).ToList();
        if (unread.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var i in unread)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(RowsSql(shapes[i])));
            }

            await using var reader = await batch.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            foreach (var i in unread)
            {
                tables[i] = await ReadTableAsync(reader, shapes[i], cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                if (signatures is not null)
                {
                    options.Reuse!.Add(signatures[i], tables[i]!);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new DataSnapshot(tables!);
    }

    /// <summary>Per table: columns, key columns, row count and content digest (rows themselves are not written).</summary>
    public string ToJson() => JsonSerializer.Serialize(
        Tables.Select(t => new { t.Name, t.Columns, t.KeyColumns, t.RowCount, t.Digest }),
        Indented);

    /// <summary>
    /// Per table, what its text rows are a function of: the database and the table (oids, name), its shape and
    /// the types it uses, the row count and the set of transactions that wrote its visible rows (xmin). In one
    /// database the rows a committed transaction wrote can only be deleted, never added to: so any insert,
    /// update or delete since adds a transaction to that set or lowers the count of rows of a transaction in
    /// it, and an equal signature means equal rows. A clone of the database is another history (its deletes
    /// and the original's can remove different rows of the same transaction), hence the database's oid.
    /// </summary>
    private static async Task<string[]> SignaturesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string database, IReadOnlyList<TableShape> shapes, CancellationToken cancellationToken)
    {
        var signatures = new string[shapes.Count];
        if (shapes.Count == 0)
        {
            return signatures;
        }

        var sql = string.Join(
            "\nunion all ",
            shapes.Select((s, i) => string.Create(CultureInfo.InvariantCulture, $"select {i}, count(*), md5(coalesce(string_agg(distinct t.xmin::text, ',' order by t.xmin::text), '')) from only {s.Sql} t")));
        // Prepared (planning the union costs more than running it): the text is the same for every snapshot of the
        // same set of tables, so a connection keeps one prepared statement per set of tables it has seen.
        await using var rows = await CatalogStatements.PrepareAsync(sql, connection, transaction, cancellationToken);
        await using var reader = await rows.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var shape = shapes[reader.GetInt32(0)];
            signatures[reader.GetInt32(0)] = string.Join(
                "\n",
                database,
                shape.Oid.ToString(CultureInfo.InvariantCulture),
                shape.Name,
                shape.Columns,
                string.Join(",", shape.Key),
                shape.Types,
                reader.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                reader.GetString(2));
        }

        return signatures;
    }

    private static string RowsSql(TableShape shape)
    {
        var keyExpression = shape.Key.Length switch
        {
            0 => "null::text",
            1 => $"t.{Sql.Identifier(shape.Key[0])}::text",
            _ => $"row({string.Join(", ", shape.Key.Select(k => "t." + Sql.Identifier(k)))})::text",
        };
        var select = string.Join(", ", shape.ColumnNames.Select(c => $"t.{Sql.Identifier(c)}::text"));
        return $"select {keyExpression}{(shape.ColumnNames.Length > 0 ? ", " + select : string.Empty)} from only {shape.Sql} t";
    }

    private static async Task<TableData> ReadTableAsync(NpgsqlDataReader reader, TableShape shape, CancellationToken cancellationToken)
    {
        var columns = shape.ColumnNames;
        var data = new TableData(shape.Name, columns, shape.Key);
        var values = new string?[columns.Length];
        while (await reader.ReadAsync(cancellationToken))
        {
            var rowKey = reader.IsDBNull(0) ? null : reader.GetString(0);
            for (var i = 0; i < columns.Length; i++)
            {
                values[i] = reader.IsDBNull(i + 1) ? null : reader.GetString(i + 1);
            }

            data.Add(rowKey, values);
        }

        return data;
    }

    /// <summary>
    /// One table as the catalog describes it: <paramref name="Sql"/> is its quoted qualified name,
    /// <paramref name="Columns"/> every column's quoted name and type in name order, <paramref name="Types"/> the digest of
    /// the user-defined types they use.
    /// </summary>
    private sealed record TableShape(string Sql, string Name, string[] ColumnNames, string[] Key, long Oid, string Columns, string Types);
}
