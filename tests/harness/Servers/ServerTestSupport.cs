using Npgsql;

namespace Tcdb.Harness.Tests.Servers;

/// <summary>Small helpers shared by the server tests.</summary>
internal static class ServerTestSupport
{
    /// <summary>The majors this run has binaries for: PG_VERSIONS (as run-tests.sh sets it), default "11 15".</summary>
    public static IEnumerable<int> Majors() =>
        (Environment.GetEnvironmentVariable("PG_VERSIONS") is { Length: > 0 } list ? list : "11 15")
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(int.Parse);

    /// <summary>The first value <paramref name="sql"/> returns (positional <c>$n</c> parameters), default when none or null.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default! : (T)result;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<bool> AcceptsConnectionsAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
