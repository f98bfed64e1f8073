using System.Data;
using System.Text.Json;
using Npgsql;

namespace Tcdb.Snapshots;

/// <summary>What a <see cref="DataSnapshot"/> reads.</summary>
public sealed record DataSnapshotOptions
{
    /// <summary>Schemas whose ordinary tables are read (default <c>public</c>).</summary>
    public IReadOnlyList<string> Schemas { get; init; } = ["public"];

    /// <summary>Qualified names of tables not to read.</summary>
    public IReadOnlySet<string> ExcludedTables { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>
/// The rows of every table of a database, keyed by primary key (or by whole-row content where a
/// table has none) with one hash per row; compare two with <see cref="DataDiff"/>. Rows are streamed
/// as text in one repeatable-read transaction, never held as objects.
/// </summary>
public sealed class DataSnapshot
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private const string TablesSql = """
        select format('%I.%I', n.nspname, c.relname), n.nspname || '.' || c.relname,
          array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
          array(select a.attname::text from pg_index i, unnest(i.indkey) with ordinality k(attnum, ord)
                  join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                where i.indrelid = c.oid and i.indisprimary order by k.ord)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
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

    /// <summary>Reads every table in one repeatable-read, read-only transaction (the connection must not be in one).</summary>
    public static async Task<DataSnapshot> TakeAsync(NpgsqlConnection connection, DataSnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DataSnapshotOptions();
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using (var setup = new NpgsqlCommand("set transaction read only; set local timezone = 'UTC'; set local extra_float_digits = 3; set local datestyle = 'ISO, YMD'; set local intervalstyle = 'postgres'; set local bytea_output = 'hex'", connection, transaction))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        var shapes = new List<(string Sql, string Name, string[] Columns, string[] Key)>();
        await using (var command = new NpgsqlCommand(TablesSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = options.Schemas.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(1);
                if (!options.ExcludedTables.Contains(name))
                {
                    shapes.Add((reader.GetString(0), name, reader.GetFieldValue<string[]>(2).Order(StringComparer.Ordinal).ToArray(), reader.GetFieldValue<string[]>(3)));
                }
            }
        }

        var tables = new List<TableData>();
        foreach (var (sql, name, columns, key) in shapes)
        {
            tables.Add(await ReadTableAsync(connection, transaction, sql, name, columns, key, cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return new DataSnapshot(tables);
    }

    /// <summary>Per table: columns, key columns, row count and content digest (rows themselves are not written).</summary>
    public string ToJson() => JsonSerializer.Serialize(
        Tables.Select(t => new { t.Name, t.Columns, t.KeyColumns, t.RowCount, t.Digest }),
        Indented);

    private static async Task<TableData> ReadTableAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string name, string[] columns, string[] key, CancellationToken cancellationToken)
    {
        static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
        var keyExpression = key.Length switch
        {
            0 => "null::text",
            1 => $"t.{Quote(key[0])}::text",
            _ => $"row({string.Join(", ", key.Select(k => "t." + Quote(k)))})::text",
        };
        var select = string.Join(", ", columns.Select(c => $"t.{Quote(c)}::text"));
        var sql = $"select {keyExpression}{(columns.Length > 0 ? ", " + select : string.Empty)} from only {table} t";

        var data = new TableData(name, columns, key);
        var values = new string?[columns.Length];
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
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
}
