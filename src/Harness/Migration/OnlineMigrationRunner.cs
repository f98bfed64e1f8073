using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>
/// Drives a version's batched online migration or downgrade: passes of batches until the completion
/// function says done, each batch in its own transaction holding the tcversion lock, the batch size
/// adapted toward a target time. Every loop is bounded by what the database shows, not by a count of
/// rows: a pass whose batches leave every table as it was (no row written, or the tables it wrote hold
/// exactly the rows they held after the previous pass) cannot bring completion closer, and a batch that
/// writes nothing and returns a state seen since the last write would repeat forever. Either ends the
/// step with <see cref="MigrationFailure.OnlineNeverCompletes"/>, naming what the completion check
/// still waits for.
/// </summary>
internal sealed class OnlineMigrationRunner(MigratorOptions options)
{
    private const int RateWindow = 500;
    private static readonly TimeSpan MaxReportInterval = TimeSpan.FromSeconds(60);

    public static (string Batch, string IsComplete) FunctionNames(DbVersion version, OnlineDirection direction) => direction == OnlineDirection.Upgrade
        ? (version.OnlineMigrationBatchFunction, version.OnlineMigrationIsCompleteFunction)
        : (version.OnlineDowngradeBatchFunction, version.OnlineDowngradeIsCompleteFunction);

    /// <summary>
    /// Runs the online step of <paramref name="version"/> to completion, if its batch function exists; returns the
    /// batch before which <see cref="OnlineMigrationHooks.BeforeBatch"/> asked to stop, or null.
    /// </summary>
    public async Task<OnlineBatch?> RunAsync(NpgsqlConnection connection, DbVersion version, OnlineDirection direction, CancellationToken cancellationToken)
    {
        var (batch, isComplete) = FunctionNames(version, direction);
        var exists = await Sql.ScalarAsync<bool>(
            connection, "select to_regprocedure($1) is not null", cancellationToken, $"public.{Sql.Identifier(batch)}(integer, jsonb)");
        if (!exists)
        {
            return null;
        }

        var step = new OnlineStep(version.Number, batch, isComplete, direction);
        var total = new OnlineProgress(0, 0, 0, 1);
        var unchangedPasses = 0;
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var pass = 0; ; pass++)
        {
            Report(MigrationStage.Step, version.Number, $"..checking completion of {step.Label}");
            if (await IsCompleteAsync(connection, step, cancellationToken))
            {
                Report(MigrationStage.OnlineCompleted, version.Number, $"..{step.Label} complete ({total.Batches} batches, {total.Rows} items)", online: total);
                return null;
            }

            var (passTotal, written, interrupted) = await RunPassAsync(connection, step, pass, total, cancellationToken);
            if (interrupted is not null)
            {
                return interrupted;
            }

            total = passTotal;
            var changed = await TablesChangedAsync(connection, written, fingerprints, cancellationToken);
            unchangedPasses = changed ? 0 : unchangedPasses + 1;
            if (unchangedPasses >= options.UnchangedPassLimit)
            {
                throw await NeverCompletesAsync(
                    connection,
                    step,
                    $"{unchangedPasses} passes in a row left every table unchanged ({(written.Count == 0 ? "no row written" : "rewrote " + string.Join(", ", written.Order(StringComparer.Ordinal)) + " with the same rows")})",
                    cancellationToken);
            }
        }
    }

    /// <summary>The names and label of one online step, for messages.</summary>
    private sealed record OnlineStep(int Version, string Batch, string IsComplete, OnlineDirection Direction)
    {
        public string Label => $"online {(Direction == OnlineDirection.Upgrade ? "migration" : "downgrade")} for db version {Version}";

        /// <summary>A batch of a migration runs when tcversion already says N; a downgrade batch when it says N-1.</summary>
        public int LockedVersion => Direction == OnlineDirection.Upgrade ? Version : Version - 1;
    }

    /// <summary>One pass of batches until a batch does nothing; Interrupted is the batch the hook stopped before.</summary>
    private async Task<(OnlineProgress Total, HashSet<string> Written, OnlineBatch? Interrupted)> RunPassAsync(
        NpgsqlConnection connection, OnlineStep step, int pass, OnlineProgress total, CancellationToken cancellationToken)
    {
        string? state = "{}";
        var passRows = 0L;
        var batchSize = 1;
        var written = new HashSet<string>(StringComparer.Ordinal);
        // States a batch returned since the last batch that wrote a row: the same function on the same
        // rows with the same state returns the same again, so a repeat is a loop that never ends.
        var statesSinceWrite = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var samples = new Queue<(TimeSpan At, long Rows)>();
        samples.Enqueue((TimeSpan.Zero, 0));
        var nextReport = TimeSpan.Zero;
        var reportInterval = TimeSpan.FromSeconds(1);
        var rate = 0.0;
        while (true)
        {
            if (options.OnlineHooks?.BeforeBatch is { } beforeBatch)
            {
                var next = new OnlineBatch(step.Version, step.Direction, pass, passRows);
                if (await beforeBatch(next) == OnlineBatchDecision.Interrupt)
                {
                    return (total, written, next);
                }
            }

            var (count, newState, batchWrote) = await RunBatchAsync(connection, step, batchSize, state, cancellationToken);
            state = newState;
            passRows += count;
            total = total with { Batches = total.Batches + 1, Rows = total.Rows + count };
            written.UnionWith(batchWrote);
            samples.Enqueue((clock.Elapsed, passRows));
            if (samples.Count > RateWindow)
            {
                samples.Dequeue();
            }

            if (count == 0)
            {
                return (total with { BatchSize = batchSize, RowsPerSecond = rate }, written, null);
            }

            if (batchWrote.Count > 0)
            {
                statesSinceWrite.Clear();
            }
            else if (!statesSinceWrite.Add(state ?? "null"))
            {
                throw await NeverCompletesAsync(
                    connection,
                    step,
                    $"{step.Batch} returned count {count} with state {Shorten(state ?? "null")} again without writing a row since it last did, so its passes never end",
                    cancellationToken);
            }

            var (firstAt, firstRows) = samples.Peek();
            var seconds = (clock.Elapsed - firstAt).TotalSeconds;
            if (seconds > 0)
            {
                rate = (passRows - firstRows) / seconds;
                batchSize = (int)Math.Clamp(Math.Round(rate * options.OnlineBatchTarget.TotalSeconds), 1, options.MaxOnlineBatchSize);
            }

            if (options.OnlineHooks?.BatchSize is { } overrideSize)
            {
                batchSize = Math.Max(1, overrideSize(batchSize));
            }

            total = total with { BatchSize = batchSize, RowsPerSecond = rate };
            if (clock.Elapsed >= nextReport)
            {
                Report(MigrationStage.OnlineBatches, step.Version, $"   {total.Rows} items complete at {rate:0.0}/s ({total.Batches} batches, next batch size {batchSize})", online: total);
                nextReport = clock.Elapsed + reportInterval;
                reportInterval = reportInterval * 2 > MaxReportInterval ? MaxReportInterval : reportInterval * 2;
            }
        }
    }

    private static async Task<bool> IsCompleteAsync(NpgsqlConnection connection, OnlineStep step, CancellationToken cancellationToken)
    {
        try
        {
            return await Sql.ScalarAsync<bool>(connection, "select " + Sql.Identifier(step.IsComplete) + "()", cancellationToken);
        }
        catch (PostgresException e)
        {
            throw MigrationException.FromPostgres(e, step.Version, $"function {step.IsComplete}");
        }
    }

    private static async Task<(int Count, string? State, IReadOnlyList<string> Written)> RunBatchAsync(
        NpgsqlConnection connection, OnlineStep step, int batchSize, string? state, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await VersionTable.LockAsync(connection, step.LockedVersion, $"a batch of {step.Batch}", cancellationToken);
        var before = await RowsWrittenAsync(connection, cancellationToken);
        List<(int, string?)> rows;
        try
        {
            rows = await Sql.ListAsync(
                connection,
                "select b.count, b.state from " + Sql.Identifier(step.Batch) + "($1, $2) as b",
                r => (r.IsDBNull(0) ? 0 : r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1)),
                cancellationToken,
                batchSize,
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)state ?? DBNull.Value });
        }
        catch (PostgresException e)
        {
            throw MigrationException.FromPostgres(e, step.Version, $"function {step.Batch}");
        }

        if (rows.Count != 1)
        {
            throw new MigrationException($"version {step.Version}: {step.Batch} must return exactly one row (count, state) but returned {rows.Count}");
        }

        var after = await RowsWrittenAsync(connection, cancellationToken);
        var written = after.Where(t => t.Value > before.GetValueOrDefault(t.Key)).Select(t => t.Key).ToList();
        await transaction.CommitAsync(cancellationToken);
        return (rows[0].Item1, rows[0].Item2, written);
    }

    /// <summary>
    /// Rows inserted, updated or deleted per table as the transaction's counters show them. They are current
    /// (unlike the cumulative statistics), but they also hold what this session's earlier transactions wrote
    /// until the session next reports its statistics (when idle, at most about once a second, on PostgreSQL 11
    /// and 15 alike): what a batch wrote is the rise of the counters across it.
    /// </summary>
    private static async Task<Dictionary<string, long>> RowsWrittenAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (await Sql.ListAsync(
            connection,
            "select format('%I.%I', schemaname, relname), n_tup_ins + n_tup_upd + n_tup_del from pg_stat_xact_all_tables " +
            "where n_tup_ins + n_tup_upd + n_tup_del > 0 and schemaname not in ('pg_catalog', 'information_schema') " +
            "and schemaname !~ '^pg_(temp|toast)' and (schemaname, relname) <> ('public', 'tcversion')",
            r => (Table: r.GetString(0), Rows: r.GetInt64(1)),
            cancellationToken)).ToDictionary(t => t.Table, t => t.Rows, StringComparer.Ordinal);

    /// <summary>
    /// Whether the tables a pass wrote differ from what they held after the previous pass, by an
    /// order-independent fingerprint of their rows (count and sum of row hashes). A table seen for the
    /// first time counts as changed. Only tables the online step writes are read.
    /// </summary>
    private static async Task<bool> TablesChangedAsync(
        NpgsqlConnection connection, IReadOnlyCollection<string> written, Dictionary<string, string> fingerprints, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var table in written.Order(StringComparer.Ordinal))
        {
            var fingerprint = await Sql.ScalarAsync<string>(
                connection,
                $"select count(*)::text || ':' || coalesce(sum(hashtextextended(t::text, 0)), 0)::text from only {table} as t",
                cancellationToken) ?? string.Empty;
            changed |= !fingerprints.TryGetValue(table, out var before) || before != fingerprint;
            fingerprints[table] = fingerprint;
        }

        return changed;
    }

    /// <summary>The failure for an online step that cannot finish, with what its completion check still finds.</summary>
    private static async Task<MigrationException> NeverCompletesAsync(NpgsqlConnection connection, OnlineStep step, string why, CancellationToken cancellationToken)
    {
        var body = await Sql.ScalarAsync<string>(
            connection,
            "select prosrc from pg_proc where oid = to_regprocedure($1)",
            cancellationToken,
            $"public.{Sql.Identifier(step.IsComplete)}()");
        var waitsFor = body is null ? string.Empty : $"; {step.IsComplete}() still returns false (its check: {Shorten(string.Join(" ", body.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)))})";
        return new MigrationException(
            $"version {step.Version}: {step.Label} never completes: {why}{waitsFor}. " +
            "Fix the batch function so that it brings every row to the state the completion function checks, or the completion function so that it accepts what the batch leaves " +
            "(the database stays at a whole version and the online functions remain, so the step can be resumed)")
        {
            Version = step.Version,
            Failure = MigrationFailure.OnlineNeverCompletes,
        };
    }

    private static string Shorten(string text, int length = 200) => text.Length <= length ? text : text[..length] + " …";

    private void Report(MigrationStage stage, int version, string message, OnlineProgress? online = null) =>
        options.Progress?.Invoke(new MigrationProgress(stage, version, message, Online: online));

    /// <summary>Drops the online functions of <paramref name="version"/> (leftovers of an aborted run, or after completion).</summary>
    public static async Task DropFunctionsAsync(NpgsqlConnection connection, DbVersion version, OnlineDirection direction, CancellationToken cancellationToken)
    {
        var (batch, isComplete) = FunctionNames(version, direction);
        await Sql.ExecuteAsync(connection, "drop function if exists " + Sql.Identifier(batch) + "(batch_size_in integer, state_in jsonb)", cancellationToken);
        await Sql.ExecuteAsync(connection, "drop function if exists " + Sql.Identifier(isComplete) + "()", cancellationToken);
    }
}
