using System.Globalization;
using Npgsql;

namespace Tcdb.Servers;

/// <summary>
/// The engine's one set of SQL helpers. Statements without values are sent with no parameters (nothing
/// rewrites their text); values travel only as positional <c>$n</c> parameters. One conversion rule for
/// every value read: SQL null is <c>default</c>, a value of the requested type is returned as it is, any
/// other is converted with <see cref="Convert.ChangeType(object, Type, IFormatProvider)"/> (invariant culture).
/// Identifiers and literals that must be part of the text are quoted here and nowhere else.
/// </summary>
internal static class Sql
{
    /// <summary>Runs a statement; returns the rows it affected.</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, values);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row (default when there is no row or it is null).</summary>
    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, values);
        return Convert<T>(await command.ExecuteScalarAsync(cancellationToken));
    }

    public static async Task<List<T>> ListAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, values);
        return await ReadAllAsync(command, read, cancellationToken);
    }

    /// <summary>
    /// <see cref="ListAsync"/> of a prepared statement without parameters: for the catalog reads each snapshot or
    /// seeding runs again on a pooled connection, whose planning costs about as much as running them. Without
    /// parameters the connection plans the statement once and keeps that plan (with parameters PostgreSQL may plan
    /// every execution anew), so values are written into the text (<see cref="NameArray"/>).
    /// </summary>
    public static async Task<List<T>> ListPreparedAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, sql);
        await command.PrepareAsync(cancellationToken);
        return await ReadAllAsync(command, read, cancellationToken);
    }

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Every row as column name to value (null for SQL null).</summary>
    public static Task<List<IReadOnlyDictionary<string, object?>>> RowsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values) =>
        ListAsync<IReadOnlyDictionary<string, object?>>(connection, sql, Row, cancellationToken, values);

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>A value read from the server as <typeparamref name="T"/>, by the one conversion rule.</summary>
    public static T? Convert<T>(object? value) => value switch
    {
        null or DBNull => default,
        T typed => typed,
        _ => (T)System.Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture),
    };

    /// <summary>A double-quoted identifier.</summary>
    public static string Identifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A standard-conforming string literal of <paramref name="text"/>.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A <c>name[]</c> literal of <paramref name="names"/>, e.g. the schemas a catalog read covers.</summary>
    public static string NameArray(IEnumerable<string> names) => "array[" + string.Join(", ", names.Select(n => Literal(n) + "::name")) + "]::name[]";

    /// <summary>
    /// A data source whose every connection runs with <c>idle_in_transaction_session_timeout</c> = 20 s. Commands
    /// have no client-side timeout (Npgsql's default of 30 s would cut a long migration script with a read error):
    /// the server's statement_timeout, or the migrator's own, bounds them.
    /// </summary>
    public static NpgsqlDataSource DataSource(string connectionString, TimeSpan? statementTimeout = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 };
        var settings = "-c idle_in_transaction_session_timeout=20000";
        if (statementTimeout is { } timeout)
        {
            settings += $" -c statement_timeout={(long)timeout.TotalMilliseconds}";
        }

        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? settings : builder.Options + " " + settings;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    private static Dictionary<string, object?> Row(NpgsqlDataReader reader)
    {
        var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return row;
    }
}
