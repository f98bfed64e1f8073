using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Tcdb.Schema;

namespace Tcdb.Migration;

/// <summary>Whether an online step belongs to an upgrade (migration) or a downgrade.</summary>
public enum OnlineKind
{
    Migration,
    Downgrade,
}

/// <summary>
/// Drives a version's batched online migration or downgrade (SPEC 3): passes of batches until the
/// completion function says done, each batch in its own transaction holding the tcversion lock, the
/// batch size adapted toward a target time, and a guard against passes that never make progress.
/// </summary>
internal sealed class OnlineMigrationRunner(MigratorOptions options)
{
    private const int RateWindow = 500;
    private static readonly TimeSpan MaxReportInterval = TimeSpan.FromSeconds(60);

    public static (string Batch, string IsComplete) FunctionNames(DbVersion version, OnlineKind kind) => kind == OnlineKind.Migration
        ? (version.OnlineMigrationBatchFunction, version.OnlineMigrationIsCompleteFunction)
        : (version.OnlineDowngradeBatchFunction, version.OnlineDowngradeIsCompleteFunction);

    /// <summary>Runs the online step of <paramref name="version"/> to completion, if its batch function exists.</summary>
    public async Task RunAsync(NpgsqlConnection connection, DbVersion version, OnlineKind kind, CancellationToken cancellationToken)
    {
        var (batch, isComplete) = FunctionNames(version, kind);
        var exists = await Sql.ScalarAsync<bool>(
            connection, "select to_regprocedure($1) is not null", cancellationToken, $"public.{SqlText.QuoteIdentifier(batch)}(integer, jsonb)");
        if (!exists)
        {
            return;
        }

        var label = $"online {(kind == OnlineKind.Migration ? "migration" : "downgrade")} for db version {version.Number}";
        // A batch of a migration runs when tcversion already says N; a downgrade batch when it says N-1.
        var lockedVersion = kind == OnlineKind.Migration ? version.Number : version.Number - 1;
        var total = new OnlineProgress(0, 0, 0, 1);
        var fruitlessPasses = 0;
        for (var pass = 0; ; pass++)
        {
            Report(MigrationStage.Step, version.Number, $"..checking completion of {label}");
            if (await IsCompleteAsync(connection, version.Number, isComplete, cancellationToken))
            {
                Report(MigrationStage.OnlineCompleted, version.Number, $"..{label} complete ({total.Batches} batches, {total.Rows} items)", online: total);
                return;
            }

            var passRows = 0L;
            (total, passRows) = await RunPassAsync(connection, version.Number, batch, lockedVersion, pass, total, label, cancellationToken);
            fruitlessPasses = passRows == 0 ? fruitlessPasses + 1 : 0;
            if (fruitlessPasses >= options.NoProgressLimit)
            {
                throw new MigrationException(
                    $"version {version.Number}: {label} makes no progress: {batch} returned count 0 on its first batch " +
                    $"{fruitlessPasses} times in a row while {isComplete}() stays false; fix the batch or completion function " +
                    "(the database stays at this version and the online functions remain, so the upgrade can be resumed)");
            }
        }
    }

    private async Task<(OnlineProgress Total, long PassRows)> RunPassAsync(
        NpgsqlConnection connection, int version, string batch, int lockedVersion, int pass, OnlineProgress total, string label, CancellationToken cancellationToken)
    {
        string? state = "{}";
        var passRows = 0L;
        var batchSize = 1;
        var clock = Stopwatch.StartNew();
        var samples = new Queue<(TimeSpan At, long Rows)>();
        samples.Enqueue((TimeSpan.Zero, 0));
        var nextReport = TimeSpan.Zero;
        var reportInterval = TimeSpan.FromSeconds(1);
        var rate = 0.0;
        while (true)
        {
            options.OnlineHooks?.BeforeBatch?.Invoke(pass, passRows);
            var (count, newState) = await RunBatchAsync(connection, version, batch, lockedVersion, batchSize, state, cancellationToken);
            state = newState;
            passRows += count;
            total = total with { Batches = total.Batches + 1, Rows = total.Rows + count };
            samples.Enqueue((clock.Elapsed, passRows));
            if (samples.Count > RateWindow)
            {
                samples.Dequeue();
            }

            if (count == 0)
            {
                return (total with { BatchSize = batchSize, RowsPerSecond = rate }, passRows);
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
                Report(MigrationStage.OnlineBatches, version, $"   {total.Rows} items complete at {rate:0.0}/s ({total.Batches} batches, next batch size {batchSize})", online: total);
                nextReport = clock.Elapsed + reportInterval;
                reportInterval = reportInterval * 2 > MaxReportInterval ? MaxReportInterval : reportInterval * 2;
            }
        }
    }

    private static async Task<bool> IsCompleteAsync(NpgsqlConnection connection, int version, string function, CancellationToken cancellationToken)
    {
        try
        {
            return await Sql.ScalarAsync<bool>(connection, "select " + SqlText.QuoteIdentifier(function) + "()", cancellationToken);
        }
        catch (PostgresException e)
        {
            throw MigrationException.FromPostgres(e, version, $"function {function}");
        }
    }

    private static async Task<(int Count, string? State)> RunBatchAsync(
        NpgsqlConnection connection, int version, string batch, int lockedVersion, int batchSize, string? state, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await VersionTable.LockAsync(connection, lockedVersion, $"a batch of {batch}", cancellationToken);
        List<(int, string?)> rows;
        try
        {
            rows = await Sql.ListAsync(
                connection,
                "select b.count, b.state from " + SqlText.QuoteIdentifier(batch) + "($1, $2) as b",
                r => (r.IsDBNull(0) ? 0 : r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1)),
                cancellationToken,
                batchSize,
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)state ?? DBNull.Value });
        }
        catch (PostgresException e)
        {
            throw MigrationException.FromPostgres(e, version, $"function {batch}");
        }

        if (rows.Count != 1)
        {
            throw new MigrationException($"version {version}: {batch} must return exactly one row (count, state) but returned {rows.Count}");
        }

        await transaction.CommitAsync(cancellationToken);
        return rows[0];
    }

    private void Report(MigrationStage stage, int version, string message, OnlineProgress? online = null) =>
        options.Progress?.Invoke(new MigrationProgress(stage, version, message, Online: online));

    /// <summary>Drops the online functions of <paramref name="version"/> (leftovers of an aborted run, or after completion).</summary>
    public static async Task DropFunctionsAsync(NpgsqlConnection connection, DbVersion version, OnlineKind kind, CancellationToken cancellationToken)
    {
        var (batch, isComplete) = FunctionNames(version, kind);
        await Sql.ExecuteAsync(connection, "drop function if exists " + SqlText.QuoteIdentifier(batch) + "(batch_size_in integer, state_in jsonb)", cancellationToken);
        await Sql.ExecuteAsync(connection, "drop function if exists " + SqlText.QuoteIdentifier(isComplete) + "()", cancellationToken);
    }
}
