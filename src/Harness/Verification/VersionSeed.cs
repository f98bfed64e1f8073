using Npgsql;
using Tcdb.Seeding;

namespace Tcdb.Verification;

/// <summary>
/// The generic rows a version gets at N-1, before its upgrade: every empty table of schema public is filled
/// (tables that already hold rows, carried from earlier versions, are left alone), deterministically from
/// the run's seed and the version number, so that the upward pass that prepares templates and the
/// per-version check produce the same rows.
/// </summary>
internal static class VersionSeed
{
    public static async Task<SeedReport> SeedAsync(VerifySettings settings, int version, string connectionString, CancellationToken ct)
    {
        var hooks = settings.HooksFor(version);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var rules = new Dictionary<string, TableSeedRule>(hooks.SeedRules, StringComparer.Ordinal);
        foreach (var table in await NonEmptyTablesAsync(connection, ct))
        {
            rules.TryAdd(table, new TableSeedRule { Rows = 0 });
        }

        return await Seeder.SeedAsync(connection, new SeedOptions
        {
            Seed = settings.Seed * 7919 + version,
            RowsPerTable = hooks.RowsPerTable ?? settings.RowsPerTable,
            Tables = rules,
        }, ct);
    }

    /// <summary>Empties every table of schema public but tcversion: how a version is retried without generic rows.</summary>
    public static async Task TruncateAllAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "do $tcdb$ declare t text; begin for t in select format('%I.%I', schemaname, tablename) from pg_tables " +
            "where schemaname = 'public' and tablename <> 'tcversion' loop execute 'truncate ' || t || ' cascade'; end loop; end $tcdb$",
            connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<string>> NonEmptyTablesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var probes = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select format('select %L where exists (select from %I.%I)', n.nspname || '.' || c.relname, n.nspname, c.relname) " +
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r' and n.nspname = 'public'",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                probes.Add(reader.GetString(0));
            }
        }

        var tables = new List<string>();
        if (probes.Count == 0)
        {
            return tables;
        }

        await using var command = new NpgsqlCommand(string.Join(" union all ", probes), connection);
        await using var rows = await command.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            tables.Add(rows.GetString(0));
        }

        return tables;
    }
}
