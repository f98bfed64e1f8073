using Npgsql;
using Tcdb.Client;
using Tcdb.Verification;

namespace Tcdb.Versions.Tests.Support;

/// <summary>Parameterized admin queries and catalog probes for version tests (values travel as parameters, never in SQL text).</summary>
public static class Db
{
    /// <summary>Every row of <paramref name="sql"/> (positional parameters <c>$1</c>…) as column name to value.</summary>
    public static async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> RowsAsync(this VersionContext db, string sql, params object?[] args)
    {
        await using var connection = await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>.</summary>
    public static async Task<T> ValueAsync<T>(this VersionContext db, string sql, params object?[] args)
    {
        var rows = await db.RowsAsync(sql, args);
        return rows.Count == 0 ? default! : (T)rows[0].Values.First()!;
    }

    /// <summary>Whether <c>public.<paramref name="table"/></c> exists.</summary>
    public static Task<bool> TableExistsAsync(this VersionContext db, string table) =>
        db.ValueAsync<bool>("select to_regclass('public.' || quote_ident($1)) is not null", table);

    /// <summary>Whether a function named <c>public.<paramref name="function"/></c> exists (any signature).</summary>
    public static Task<bool> FunctionExistsAsync(this VersionContext db, string function) =>
        db.ValueAsync<bool>("select exists (select from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.proname = $1)", function);

    /// <summary>Whether a column exists.</summary>
    public static Task<bool> ColumnExistsAsync(this VersionContext db, string table, string column) =>
        db.ValueAsync<bool>("select exists (select from information_schema.columns where table_schema = 'public' and table_name = $1 and column_name = $2)", table, column);

    /// <summary>Calls a method whether the latest schema lists it as active or deprecated (version tests run at old versions).</summary>
    public static Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CallAtVersionAsync(this FunctionClient client, VersionContext db, string name, params object?[] args) =>
        db.Schema.EffectiveMethods().Any(m => m.Name == name && m.Deprecated)
            ? client.Deprecated.CallAsync(name, args)
            : client.CallAsync(name, args);

    /// <summary>The single value a scalar method returned.</summary>
    public static object? Scalar(this IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) => rows.Single().Values.Single();
}
