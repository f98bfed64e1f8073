using Npgsql;

namespace Tcdb.Migration;

/// <summary>
/// Small helpers over Npgsql. Statements without values are sent with no parameters (nothing rewrites
/// their text); values travel only as positional <c>$n</c> parameters.
/// </summary>
internal static class Sql
{
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, values);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<List<T>> ListAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, sql, values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

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
}
