using System.Data;
using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Snapshots;

/// <summary>
/// How the engine reads the catalog: every query of one reading runs in one repeatable-read, read-only
/// transaction, so they all see the same state of the catalog. The connection must not be inside a transaction.
/// </summary>
internal static class CatalogReader
{
    /// <summary>
    /// Runs <paramref name="read"/> in the reading transaction. With <paramref name="qualified"/>, names print as
    /// with <c>search_path = pg_catalog</c> (every name outside pg_catalog qualified) and times in UTC, the same on
    /// every server and session; without it, as the session's settings say (the names SQL of that session uses).
    /// </summary>
    public static async Task<T> ReadAsync<T>(NpgsqlConnection connection, bool qualified, Func<NpgsqlTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await Sql.ExecuteAsync(connection, qualified ? "set transaction read only; set local search_path = pg_catalog; set local timezone = 'UTC'" : "set transaction read only", cancellationToken);
        var result = await read(transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
