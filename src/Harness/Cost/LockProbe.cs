using System.Diagnostics;
using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Cost;

/// <summary>
/// Two sessions that do what services do while a version runs: they watch the migrating backend (found by its
/// application name) until it holds a lock that blocks writes (SHARE or stronger) on one of the tables; then,
/// at the same moment, one reads that table once and the other asks for the lock a write takes (ROW
/// EXCLUSIVE, in a transaction it rolls back: nothing is written), and each measures how long it waited.
/// </summary>
internal sealed class LockProbe(string connectionString, string applicationName, IReadOnlyDictionary<long, (string Name, string SqlName)> tables)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>Watches until <paramref name="stop"/>; probes already waiting finish on their own when the transaction ends.</summary>
    public async Task<LockProbeResult?> RunAsync(CancellationToken stop)
    {
        await using var reader = new NpgsqlConnection(connectionString);
        await using var writer = new NpgsqlConnection(connectionString);
        await reader.OpenAsync(CancellationToken.None);
        await writer.OpenAsync(CancellationToken.None);
        var oids = tables.Keys.ToArray();
        while (!stop.IsCancellationRequested)
        {
            var locked = await Sql.ListAsync(
                reader,
                """
                select l.relation::bigint, l.mode from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where a.application_name = $1 and l.locktype = 'relation' and l.granted
                  and l.mode in ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
                  and l.relation::bigint = any($2)
                limit 1
                """,
                r => (Oid: r.GetInt64(0), Mode: r.GetString(1)),
                CancellationToken.None,
                applicationName,
                oids);
            if (locked.Count == 1)
            {
                var (name, sql) = tables[locked[0].Oid];
                var read = WaitAsync(reader, "select 1 from " + sql + " limit 1");
                var write = WaitAsync(writer, "begin; lock table " + sql + " in row exclusive mode; rollback");
                return new LockProbeResult(name, locked[0].Mode, await read, await write);
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

    private static async Task<TimeSpan> WaitAsync(NpgsqlConnection connection, string sql)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await Sql.ExecuteAsync(connection, sql, CancellationToken.None);
        }
        catch (PostgresException)
        {
            // The version dropped or replaced the table: the probe still waited until the commit.
        }

        return clock.Elapsed;
    }
}
