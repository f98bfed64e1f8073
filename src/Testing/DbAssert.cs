using System.Reflection;
using Npgsql;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// NUnit assertions over the catalog of a test database (tables, columns and indexes of schema
/// <c>public</c>) and over the SQLSTATE a call fails with. Failures name the object and show what exists instead.
/// </summary>
public static class DbAssert
{
    private static readonly IReadOnlyDictionary<string, string> StateNames = KnownStateNames();

    /// <summary>Asserts that table <c>public.<paramref name="table"/></c> exists.</summary>
    public static async Task TableExistsAsync(ServerDatabase database, string table)
    {
        if (!await TableExists(database, table))
        {
            Assert.Fail($"expected table {table} to exist in {database.Name}; tables: {await TablesAsync(database)}");
        }
    }

    /// <summary>Asserts that there is no table <c>public.<paramref name="table"/></c>.</summary>
    public static async Task NoTableAsync(ServerDatabase database, string table)
    {
        if (await TableExists(database, table))
        {
            Assert.Fail($"expected no table {table} in {database.Name}, but it exists");
        }
    }

    /// <summary>Asserts that <paramref name="table"/> has column <paramref name="column"/>.</summary>
    public static async Task ColumnExistsAsync(ServerDatabase database, string table, string column)
    {
        var columns = await ColumnsAsync(database, table);
        if (!columns.Contains(column))
        {
            Assert.Fail($"expected column {table}.{column} to exist; {Describe(table, "columns", columns)}");
        }
    }

    /// <summary>Asserts that <paramref name="table"/> has no column <paramref name="column"/> (the table itself may be missing).</summary>
    public static async Task NoColumnAsync(ServerDatabase database, string table, string column)
    {
        if ((await ColumnsAsync(database, table)).Contains(column))
        {
            Assert.Fail($"expected no column {table}.{column}, but it exists");
        }
    }

    /// <summary>
    /// Asserts that an index of <paramref name="table"/> (a primary key or unique constraint counts) has
    /// <paramref name="column"/> as its first key column, so lookups by that column can use it.
    /// </summary>
    public static async Task IndexOnColumnAsync(ServerDatabase database, string table, string column)
    {
        var indexes = await IndexesAsync(database, table);
        if (!indexes.Any(i => i.FirstColumn == column))
        {
            Assert.Fail($"expected an index on {table}.{column} (as first key column); {Describe(table, "indexes", indexes.Select(i => i.Definition).ToList())}");
        }
    }

    /// <summary>Asserts that no index of <paramref name="table"/> starts with <paramref name="column"/>.</summary>
    public static async Task NoIndexOnColumnAsync(ServerDatabase database, string table, string column)
    {
        var found = (await IndexesAsync(database, table)).Where(i => i.FirstColumn == column).Select(i => i.Definition).ToList();
        if (found.Count > 0)
        {
            Assert.Fail($"expected no index on {table}.{column}, but found: {string.Join("; ", found)}");
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> and asserts it fails with SQLSTATE <paramref name="expected"/> (see <see cref="SqlStates"/>),
    /// either as a <see cref="DbFunctionException"/> of the function client or a <see cref="PostgresException"/>.
    /// Returns the exception for further checks. The failure message names both states and the error text.
    /// </summary>
    public static async Task<Exception> SqlStateAsync(string expected, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call();
        }
        catch (DbFunctionException e)
        {
            return Check(expected, e.SqlState, e.Message, e);
        }
        catch (PostgresException e)
        {
            return Check(expected, e.SqlState, e.MessageText, e);
        }

        Assert.Fail($"expected SQLSTATE {Name(expected)}, but the call succeeded");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A SQLSTATE with its Npgsql name when it has one, e.g. <c>23505 (UniqueViolation)</c>.</summary>
    public static string Name(string sqlState) =>
        StateNames.TryGetValue(sqlState, out var name) ? $"{sqlState} ({name})" : sqlState;

    private static Exception Check(string expected, string actual, string message, Exception e)
    {
        if (actual != expected)
        {
            Assert.Fail($"expected SQLSTATE {Name(expected)}, but the call failed with {Name(actual)}: {message}");
        }

        return e;
    }

    private static string Describe(string table, string what, IReadOnlyCollection<string> items) =>
        items.Count == 0 ? $"table {table} has no {what} (or does not exist)" : $"{what} of {table}: {string.Join(", ", items)}";

    private static async Task<bool> TableExists(ServerDatabase database, string table) =>
        await database.ScalarAsync<bool>(
            "select exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
            "where n.nspname = 'public' and c.relname = $1 and c.relkind in ('r', 'p'))",
            table);

    private static async Task<string> TablesAsync(ServerDatabase database)
    {
        var tables = await ListAsync(
            database,
            "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
            "where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1");
        return tables.Count == 0 ? "(none)" : string.Join(", ", tables);
    }

    private static Task<List<string>> ColumnsAsync(ServerDatabase database, string table) =>
        ListAsync(
            database,
            "select a.attname::text from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace " +
            "where n.nspname = 'public' and c.relname = $1 and a.attnum > 0 and not a.attisdropped order by a.attnum",
            table);

    private static async Task<List<(string FirstColumn, string Definition)>> IndexesAsync(ServerDatabase database, string table)
    {
        // indkey[0] is 0 for an index whose first key is an expression: it matches no column.
        const string sql =
            "select coalesce(a.attname::text, '') as first_column, pg_get_indexdef(i.indexrelid) as definition " +
            "from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace " +
            "left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0] " +
            "where n.nspname = 'public' and c.relname = $1 order by 2";
        var rows = await database.QueryAsync(sql, table);
        return [.. rows.Select(row => ((string)row["first_column"]!, (string)row["definition"]!))];
    }

    private static async Task<List<string>> ListAsync(ServerDatabase database, string sql, params object[] args) =>
        [.. (await database.QueryAsync(sql, args)).Select(row => (string)row.Values.First()!)];

    private static Dictionary<string, string> KnownStateNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in new[] { typeof(SqlStates), typeof(PostgresErrorCodes) })
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
            {
                names.TryAdd((string)field.GetRawConstantValue()!, field.Name);
            }
        }

        return names;
    }
}
