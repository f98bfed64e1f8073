using System.Diagnostics;
using Npgsql;
using Tcdb.Migration;

namespace Tcdb.Cost;

/// <summary>
/// A second session that does what a service does while a version runs: it watches the migrating backend
/// (found by its application name) until that holds an ACCESS EXCLUSIVE lock on one of the tables, then reads
/// that table once and measures how long the read waited.
/// </summary>
internal sealed class LockProbe(string connectionString, string applicationName, IReadOnlyDictionary<long, (string Name, string SqlName)> tables)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>Watches until <paramref name="stop"/>; a read already waiting finishes on its own when the transaction ends.</summary>
    public async Task<LockProbeResult?> RunAsync(CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(CancellationToken.None);
        var oids = tables.Keys.ToArray();
        while (!stop.IsCancellationRequested)
        {
            var locked = await Sql.ScalarAsync<long?>(
                connection,
                """
                select l.relation::bigint from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where a.application_name = $1 and l.locktype = 'relation' and l.granted
                  and l.mode = 'AccessExclusiveLock' and l.relation::bigint = any($2)
                limit 1
                """,
                CancellationToken.None,
                applicationName,
                oids);
            if (locked is { } oid)
            {
                return new LockProbeResult(tables[oid].Name, await ReadAsync(connection, tables[oid].SqlName));
            }

            try
            {
                await Task.Delay(PollInterval, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return null;
    }

    private static async Task<TimeSpan> ReadAsync(NpgsqlConnection connection, string table)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await Sql.ExecuteAsync(connection, "select 1 from " + table + " limit 1", CancellationToken.None);
        }
        catch (PostgresException)
        {
            // The version dropped or replaced the table: the read still waited until the commit.
        }

        return clock.Elapsed;
    }
}
