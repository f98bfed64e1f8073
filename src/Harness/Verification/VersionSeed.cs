using Npgsql;
using Tcdb.Seeding;
using Tcdb.Seeding.Shapes;

namespace Tcdb.Verification;

/// <summary>
/// The generic rows a version gets at N-1, before its upgrade: every empty table of schema public is filled
/// (tables that already hold rows, carried from earlier versions, are left alone), deterministically from
/// the run's seed and the version number, so that the upward pass that prepares templates and the
/// per-version check produce the same rows. Columns the directory's SQL reads in a particular shape (jsonb
/// keys, split text, slugids) get values of that shape (<see cref="ShapedValues"/>), unless the version's
/// test brings its own rule for the table.
/// </summary>
internal static class VersionSeed
{
    public static async Task<SeedReport> SeedAsync(VerificationRun run, int version, string connectionString, CancellationToken ct)
    {
        var hooks = run.Options.HooksFor(version);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var rules = new Dictionary<string, TableSeedRule>(hooks.SeedRules, StringComparer.Ordinal);
        var (seedable, nonEmpty) = await TablesAsync(connection, ct);
        foreach (var table in nonEmpty)
        {
            rules.TryAdd(table, new TableSeedRule { Rows = 0 });
        }

        // Every table the seeder would fill is to get no rows: it would insert nothing and report nothing (a table
        // it cannot fill counts only when rows are wanted of it), so its catalog reads are skipped.
        var excluded = new SeedOptions().ExcludedTables;
        if (seedable.All(t => excluded.Contains(t) || rules.GetValueOrDefault(t)?.Rows == 0))
        {
            return new SeedReport(seedable.Where(t => !excluded.Contains(t)).ToDictionary(t => t, _ => 0, StringComparer.Ordinal), [], TimeSpan.Zero);
        }

        var seed = run.Options.Seed * 7919 + version;
        foreach (var (table, columns) in await ColumnTypesAsync(connection, ct))
        {
            var shaped = ShapedValues.RulesFor(run.Shapes, table, columns, seed);
            if (shaped.Count > 0)
            {
                rules.TryAdd("public." + table, new TableSeedRule { Columns = shaped });
            }
        }

        return await Seeder.SeedAsync(connection, new SeedOptions
        {
            Seed = seed,
            RowsPerTable = hooks.RowsPerTable ?? run.Options.RowsPerTable,
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

    private static async Task<Dictionary<string, Dictionary<string, string>>> ColumnTypesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var tables = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            "select c.relname, a.attname, format_type(a.atttypid, null) from pg_attribute a join pg_class c on c.oid = a.attrelid " +
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped",
            connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var table = reader.GetString(0);
            if (!tables.TryGetValue(table, out var columns))
            {
                tables[table] = columns = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            columns[reader.GetString(1)] = reader.GetString(2);
        }

        return tables;
    }

    /// <summary>
    /// The tables the seeder fills (ordinary and partitioned tables of schema public, partitions excepted), and the
    /// ordinary tables of schema public (partitions included) that hold rows.
    /// </summary>
    private static async Task<(List<string> Seedable, List<string> NonEmpty)> TablesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var probes = new List<string>();
        var seedable = new List<string>();
        await using (var list = new NpgsqlCommand(
            $"select n.nspname || '.' || c.relname, c.relkind = 'r', {SeedCatalog.FilledRelations}, format('select %L where exists (select from %I.%I)', n.nspname || '.' || c.relname, n.nspname, c.relname) " +
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname = 'public'",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetBoolean(1))
                {
                    probes.Add(reader.GetString(3));
                }

                if (reader.GetBoolean(2))
                {
                    seedable.Add(reader.GetString(0));
                }
            }
        }

        var tables = new List<string>();
        if (probes.Count == 0)
        {
            return (seedable, tables);
        }

        await using var command = new NpgsqlCommand(string.Join(" union all ", probes), connection);
        await using var rows = await command.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            tables.Add(rows.GetString(0));
        }

        return (seedable, tables);
    }
}
