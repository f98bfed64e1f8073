using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Cost;

/// <summary>
/// Runs a version's online batch function through its table with a fixed batch size, each batch in its own
/// transaction, and records per batch the items done, the tuples read from user tables (the batch
/// transaction's own pg_stat_xact_user_tables) and the time. A batch that keeps its position (by key, in its
/// state) reads about as much at the end as at the start; one that rescans from the start reads more with
/// every batch, which makes the whole online migration quadratic in the table size.
/// </summary>
public static class OnlineProfiler
{
    /// <summary>Batches are timed for growth only when the last ones take at least this long (shorter ones are noise).</summary>
    internal static readonly TimeSpan TimedBatch = TimeSpan.FromMilliseconds(20);

    private const int FruitlessPassLimit = 3;

    private const int WarmUpBatches = 6;

    private const string LockedTables = """
        select distinct n.nspname || '.' || c.relname from pg_locks l
        join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
        where l.pid = pg_backend_pid() and l.locktype = 'relation' and c.relkind in ('r', 'p', 'm')
          and n.nspname not in ('pg_catalog', 'information_schema', 'tcdb_cost')
        order by 1
        """;

    /// <summary>
    /// Runs the online migration (or downgrade) of <paramref name="version"/> whose batch function exists on the
    /// database of <paramref name="connection"/> (not inside a transaction) until its completion function says done.
    /// </summary>
    /// <param name="connection">An admin connection to a database left between the version's transaction and its first batch.</param>
    /// <param name="version">The version.</param>
    /// <param name="direction">Migration (after the upgrade) or downgrade (after the downgrade).</param>
    /// <param name="batchSize">Items per batch.</param>
    /// <param name="expectedItems">About how many items there are (bounds the run: a batch that never finishes is reported, not looped).</param>
    /// <param name="growthFactor">Rise of tuples read (or time) per item from the first batches to the last that counts as growth.</param>
    /// <param name="cancellationToken">Stops between statements.</param>
    /// <exception cref="MigrationException">the batch or completion function failed.</exception>
    public static async Task<OnlineProfile> ProfileAsync(
        NpgsqlConnection connection, DbVersion version, OnlineDirection direction, int batchSize, long expectedItems, double growthFactor, CancellationToken cancellationToken)
    {
        var (batch, isComplete) = OnlineMigrationRunner.FunctionNames(version, direction);
        var samples = new List<BatchSample>();
        IReadOnlyList<string> tables = [];
        var maxBatches = 20 * (expectedItems / batchSize + 1) + 50;
        var done = 0L;
        var fruitless = 0;
        var passes = 0;
        string? problem = null;
        var clock = Stopwatch.StartNew();
        while (problem is null && !await CallAsync(connection, version, isComplete, "select " + Sql.Identifier(isComplete) + "()", r => r.GetBoolean(0), cancellationToken))
        {
            string? state = "{}";
            var passRows = 0L;
            while (true)
            {
                var (count, newState, tuples, elapsed, locked) = await RunBatchAsync(connection, version, batch, batchSize, state, samples.Count == 0, cancellationToken);
                tables = locked ?? tables;
                samples.Add(new BatchSample(samples.Count + 1, done, count, tuples, elapsed));
                state = newState;
                done += count;
                passRows += count;
                if (count == 0)
                {
                    break;
                }

                if (samples.Count >= maxBatches)
                {
                    problem = $"{batch} ran {samples.Count} batches of {batchSize} ({done} items in {passes + 1} passes) for about {expectedItems} rows " +
                              $"and {isComplete}() is still false: the batches never reach some row it waits for";
                    break;
                }
            }

            passes++;
            fruitless = passRows == 0 ? fruitless + 1 : 0;
            if (fruitless >= FruitlessPassLimit)
            {
                problem = $"{batch} makes no progress: its first batch returned count 0 {fruitless} times in a row while {isComplete}() stays false";
            }
        }

        return Judge(direction == OnlineDirection.Upgrade ? "migration" : "downgrade", batchSize, samples, clock.Elapsed, growthFactor, problem) with { Tables = tables };
    }

    /// <summary>Summarises batch samples: the points at start, 1/4, 1/2, 3/4 and end, and whether the cost per item grows.</summary>
    public static OnlineProfile Judge(string kind, int batchSize, IReadOnlyList<BatchSample> samples, TimeSpan elapsed, double growthFactor, string? problem)
    {
        var working = samples.Where(s => s.Count > 0).ToList();
        var full = working.Where(s => s.Count >= batchSize).ToList();
        var judged = full.Count >= 4 ? full : working;
        if (judged.Count >= 20)
        {
            // PL/pgSQL plans the first five calls for their arguments before it settles on a generic plan:
            // those batches say nothing about how the cost evolves.
            judged = judged.Skip(WarmUpBatches).ToList();
        }

        double tuplesGrowth = 1;
        double? timeGrowth = null;
        if (judged.Count >= 4)
        {
            var window = Math.Max(2, judged.Count / 10);
            var first = judged.Take(window).ToList();
            var last = judged.Skip(judged.Count - window).ToList();
            tuplesGrowth = Median(last.Select(s => s.TuplesPerRow)) / Math.Max(Median(first.Select(s => s.TuplesPerRow)), 0.01);
            if (Median(last.Select(s => s.Elapsed.TotalMilliseconds)) >= TimedBatch.TotalMilliseconds)
            {
                timeGrowth = Median(last.Select(s => s.MillisecondsPerRow)) / Math.Max(Median(first.Select(s => s.MillisecondsPerRow)), 1e-6);
            }
        }

        var points = working.Count == 0
            ? []
            : new[] { 0, working.Count / 4, working.Count / 2, 3 * working.Count / 4, working.Count - 1 }.Distinct().Select(i => working[i]).ToList();
        return new OnlineProfile(
            kind,
            batchSize,
            working.Sum(s => (long)s.Count),
            elapsed,
            points,
            tuplesGrowth,
            timeGrowth,
            tuplesGrowth > growthFactor || timeGrowth > growthFactor,
            problem,
            []);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<(int Count, string? State, long Tuples, TimeSpan Elapsed, IReadOnlyList<string>? Locked)> RunBatchAsync(
        NpgsqlConnection connection, DbVersion version, string batch, int batchSize, string? state, bool readLocks, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The backend's counters also hold earlier transactions' reads until it reports them (when idle, at
        // most every second or so), so the batch's own reads are the difference inside its transaction.
        var tuplesBefore = await TuplesReadAsync(connection, cancellationToken);
        var clock = Stopwatch.StartNew();
        var rows = await CallListAsync(
            connection,
            version,
            batch,
            "select b.count, b.state from " + Sql.Identifier(batch) + "($1, $2) as b",
            r => (r.IsDBNull(0) ? 0 : r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1)),
            cancellationToken,
            batchSize,
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)state ?? DBNull.Value });
        var elapsed = clock.Elapsed;
        if (rows.Count != 1)
        {
            throw new MigrationException($"version {version.Number}: {batch} must return exactly one row (count, state) but returned {rows.Count}");
        }

        var tuples = await TuplesReadAsync(connection, cancellationToken) - tuplesBefore;
        var locked = readLocks ? await Sql.ListAsync(connection, LockedTables, r => r.GetString(0), cancellationToken) : null;
        await transaction.CommitAsync(cancellationToken);
        return (rows[0].Item1, rows[0].Item2, tuples, elapsed, locked);
    }

    private static Task<long> TuplesReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken) => Sql.ScalarAsync<long>(
        connection,
        "select coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)::bigint from pg_stat_xact_user_tables where schemaname <> 'tcdb_cost'",
        cancellationToken);

    private static async Task<T> CallAsync<T>(NpgsqlConnection connection, DbVersion version, string function, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        (await CallListAsync(connection, version, function, sql, read, cancellationToken)).Single();

    private static async Task<List<T>> CallListAsync<T>(
        NpgsqlConnection connection, DbVersion version, string function, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object?[] values)
    {
        try
        {
            return await Sql.ListAsync(connection, sql, read, cancellationToken, values);
        }
        catch (PostgresException e)
        {
            throw MigrationException.FromPostgres(e, version.Number, $"function {function}");
        }
    }
}
