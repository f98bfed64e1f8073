using System.Globalization;
using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>
/// Watches, from a second session, what one session of a version's transaction waits for: the lock it has not
/// been granted and the sessions that block it, with their query. When the lock or statement timeout ends the
/// wait, <see cref="Blocker"/> names the table and the blocking query.
/// </summary>
internal sealed class LockWatch : IAsyncDisposable
{
    private const string WaitQuery = """
        select coalesce(l.relation::regclass::text, l.locktype), b.pid, coalesce(b.state, ''),
               coalesce(extract(epoch from now() - b.xact_start)::int, 0), coalesce(b.query, '')
        from pg_locks l
        cross join lateral unnest(pg_blocking_pids(l.pid)) as blocking(pid)
        join pg_stat_activity b on b.pid = blocking.pid
        where l.pid = $1 and not l.granted
        order by b.pid
        limit 1
        """;

    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private LockWatch(NpgsqlDataSource dataSource, int watchedPid, TimeSpan interval)
    {
        loop = Task.Run(() => WatchAsync(dataSource, watchedPid, interval, stop.Token));
    }

    /// <summary>The last wait seen, e.g. <c>a lock on public.things held by pid 42 (idle in transaction for 12 s), running: select ...</c>.</summary>
    public string? Blocker { get; private set; }

    /// <summary>Starts watching <paramref name="watchedPid"/> every <paramref name="interval"/>.</summary>
    public static LockWatch Start(NpgsqlDataSource dataSource, int watchedPid, TimeSpan interval) => new(dataSource, watchedPid, interval);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task WatchAsync(NpgsqlDataSource dataSource, int watchedPid, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                var seen = await Sql.ListAsync(
                    connection,
                    WaitQuery,
                    r => string.Create(
                        CultureInfo.InvariantCulture,
                        $"a lock on {r.GetString(0)} held by pid {r.GetInt32(1)} ({r.GetString(2)} for {r.GetInt32(3)} s), running: {OneLine(r.GetString(4))}"),
                    cancellationToken,
                    watchedPid);
                if (seen.Count > 0)
                {
                    Blocker = seen[0];
                }

                await Task.Delay(interval, cancellationToken);
            }
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            // Watching is best effort: the version's own error is reported either way.
        }
    }

    private static string OneLine(string query)
    {
        var line = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 200 ? line : line[..200] + "...";
    }
}
