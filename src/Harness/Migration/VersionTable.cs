using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>
/// The one-row <c>tcversion</c> table: the database's version and the row lock that serializes upgraders.
/// </summary>
internal static class VersionTable
{
    /// <summary>The version recorded in tcversion; 0 when the table does not exist.</summary>
    public static async Task<int> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = await Sql.ScalarAsync<bool>(connection, "select to_regclass('public.tcversion') is not null", cancellationToken);
        if (!exists)
        {
            return 0;
        }

        var rows = await Sql.ListAsync(connection, "select version from public.tcversion", r => r.GetInt32(0), cancellationToken);
        return rows.Count == 1
            ? rows[0]
            : throw new MigrationException($"database corrupted; tcversion should have exactly one row but has {rows.Count}");
    }

    /// <summary>Version 1 only: creates tcversion holding 0 unless it exists (serialized by an advisory lock).</summary>
    public static async Task CreateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, "select pg_advisory_xact_lock(hashtext('tcdb tcversion'))", cancellationToken);
        await Sql.ExecuteAsync(connection, "create table if not exists public.tcversion (version integer primary key)", cancellationToken);
        await Sql.ExecuteAsync(connection, "insert into public.tcversion (version) select 0 where not exists (select 1 from public.tcversion)", cancellationToken);
    }

    /// <summary>
    /// Locks the tcversion row for the rest of the transaction and checks it holds <paramref name="expected"/>;
    /// another upgrader either waits here or finds a different version and stops.
    /// </summary>
    public static async Task LockAsync(NpgsqlConnection connection, int expected, string operation, CancellationToken cancellationToken)
    {
        List<int> rows;
        try
        {
            rows = await Sql.ListAsync(connection, "select version from public.tcversion for update", r => r.GetInt32(0), cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            rows = [];
        }

        if (rows.Count != 1 || rows[0] != expected)
        {
            var found = rows.Count == 1 ? $"version {rows[0]}" : $"{rows.Count} rows";
            throw new MigrationException(
                $"Multiple DB upgrades running simultaneously: {operation} expected tcversion to hold version {expected} but found {found}. " +
                "Hint: another upgrade or downgrade of this database is running (or just ran); wait for it to finish and run the command again.");
        }
    }

    public static Task SetAsync(NpgsqlConnection connection, int version, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, "update public.tcversion set version = $1", cancellationToken, version);
}
