using Npgsql;
using Tcdb.Migration;
using Tcdb.Servers;

namespace Tcdb.Cost;

/// <summary>A lock the migrating transaction held at a moment (after a DDL command, or at its end).</summary>
internal sealed record LockSeen(DateTime At, long Relation, string Mode);

/// <summary>A <c>table_rewrite</c> event: PostgreSQL is about to copy the table to a new file.</summary>
internal sealed record RewriteSeen(long Relation, int Reason);

/// <summary>The transaction's own counters of one table (pg_stat_xact_user_tables) at its end.</summary>
internal sealed record TableActivity(long Relation, long SeqScans, long TuplesRead);

/// <summary>What the instruments recorded inside one upgrade or downgrade transaction.</summary>
internal sealed record TransactionTrace(
    DateTime Started,
    DateTime Ended,
    IReadOnlyList<LockSeen> Locks,
    IReadOnlyList<RewriteSeen> Rewrites,
    IReadOnlyList<TableActivity> Activity);

/// <summary>
/// Instruments a scratch database so that a version's transaction, run by the unchanged <see cref="Migrator"/>,
/// leaves its own record: event triggers log the locks held after every DDL command and every table rewrite,
/// and a trigger on the tcversion update (the transaction's last statement) logs the locks held at the end,
/// the transaction's start and end and its pg_stat_xact_user_tables counters. The record commits with the
/// transaction (nothing is left when it rolls back) and lives in schema <c>tcdb_cost</c>, which nothing else reads.
/// A backend's pg_stat_xact counters also hold reads of its earlier transactions not yet reported, so each
/// measured step runs on a fresh migrator connection whose only earlier reads are of the catalog and tcversion.
/// Needs a superuser (event triggers).
/// </summary>
internal static class CostInstruments
{
    public const string Schema = "tcdb_cost";

    // One timestamp per snapshot (clock_timestamp() would differ from row to row).
    private const string LocksOfThisBackend = """
        select seen_at, l.relation, l.mode from pg_locks l
        where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
          and l.database = (select d.oid from pg_database d where d.datname = current_database())
        """;

    private const string Install = $"""
        create schema tcdb_cost;
        create table tcdb_cost.locks (at timestamptz not null, relation oid not null, mode text not null);
        create table tcdb_cost.rewrites (relation oid not null, reason integer not null);
        create table tcdb_cost.ends (started timestamptz not null, ended timestamptz not null);
        create table tcdb_cost.activity (relation oid not null, seq_scans bigint not null, tuples_read bigint not null);
        create function tcdb_cost.after_ddl() returns event_trigger language plpgsql as $$
        declare
          seen_at timestamptz := clock_timestamp();
        begin
          insert into tcdb_cost.locks (at, relation, mode) {LocksOfThisBackend};
        end
        $$;
        create function tcdb_cost.before_rewrite() returns event_trigger language plpgsql as $$
        begin
          insert into tcdb_cost.rewrites (relation, reason) values (pg_event_trigger_table_rewrite_oid(), pg_event_trigger_table_rewrite_reason());
        end
        $$;
        create function tcdb_cost.at_version_update() returns trigger language plpgsql as $$
        declare
          seen_at timestamptz := clock_timestamp();
        begin
          insert into tcdb_cost.locks (at, relation, mode) {LocksOfThisBackend};
          insert into tcdb_cost.activity (relation, seq_scans, tuples_read)
            select s.relid, coalesce(s.seq_scan, 0), coalesce(s.seq_tup_read, 0) + coalesce(s.idx_tup_fetch, 0)
            from pg_stat_xact_user_tables s where s.schemaname <> 'tcdb_cost';
          insert into tcdb_cost.ends (started, ended) values (now(), seen_at);
          return null;
        end
        $$;
        create event trigger tcdb_cost_after_ddl on ddl_command_end execute procedure tcdb_cost.after_ddl();
        create event trigger tcdb_cost_before_rewrite on table_rewrite execute procedure tcdb_cost.before_rewrite();
        create trigger tcdb_cost_at_version_update after update on public.tcversion for each statement execute procedure tcdb_cost.at_version_update();
        """;

    /// <summary>Installs the instruments (creating tcversion at version 0 first when the database is empty).</summary>
    public static async Task InstallAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await VersionTable.CreateAsync(connection, cancellationToken);
        try
        {
            await Sql.ExecuteAsync(connection, Install, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new ServerUnavailableException(
                $"measuring costs needs a superuser on the server (it installs event triggers in its own scratch databases): {e.MessageText}", e);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Forgets what earlier transactions recorded.</summary>
    public static Task ResetAsync(NpgsqlConnection connection, CancellationToken cancellationToken) => Sql.ExecuteAsync(
        connection, "delete from tcdb_cost.locks; delete from tcdb_cost.rewrites; delete from tcdb_cost.ends; delete from tcdb_cost.activity", cancellationToken);

    /// <summary>The record of the one transaction since the last reset, or null when none committed.</summary>
    public static async Task<TransactionTrace?> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var ends = await Sql.ListAsync(connection, "select started, ended from tcdb_cost.ends", r => (r.GetDateTime(0), r.GetDateTime(1)), cancellationToken);
        if (ends.Count != 1)
        {
            return null;
        }

        var (started, ended) = ends[0];
        var locks = await Sql.ListAsync(
            connection,
            "select at, relation::bigint, mode from tcdb_cost.locks where at between $1 and $2 order by at",
            r => new LockSeen(r.GetDateTime(0), r.GetInt64(1), r.GetString(2)),
            cancellationToken,
            started,
            ended);
        var rewrites = await Sql.ListAsync(
            connection, "select relation::bigint, reason from tcdb_cost.rewrites", r => new RewriteSeen(r.GetInt64(0), r.GetInt32(1)), cancellationToken);
        var activity = await Sql.ListAsync(
            connection,
            "select relation::bigint, seq_scans, tuples_read from tcdb_cost.activity",
            r => new TableActivity(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)),
            cancellationToken);
        return new TransactionTrace(started, ended, locks, rewrites, activity);
    }
}
