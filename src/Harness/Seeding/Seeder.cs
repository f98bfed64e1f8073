using System.Diagnostics;
using Bogus;
using Npgsql;
using NpgsqlTypes;
using Tcdb.Servers;

namespace Tcdb.Seeding;

/// <summary>
/// Fills every table of a schema with Bogus data read off the catalog: tables in foreign-key order
/// (self-references and cycles through a nullable foreign key are inserted with nulls and updated
/// afterwards), keys unique by construction, rows violating a check constraint regenerated, hostile
/// values included, bulk insert with binary COPY. Deterministic for a given <see cref="SeedOptions.Seed"/>.
/// The connection must not be inside a transaction.
/// </summary>
public static class Seeder
{
    private const string Stage = "pg_temp.tcdb_seed_stage";
    private const int MaxParentRows = 50_000;

    public static async Task<SeedReport> SeedAsync(NpgsqlConnection connection, SeedOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SeedOptions();
        var stopwatch = Stopwatch.StartNew();
        await TypeCatalog.ReloadWhenChangedAsync(connection, cancellationToken);
        var tables = (await SeedCatalog.ReadAsync(connection, options.Schemas, cancellationToken))
            .Where(t => !options.ExcludedTables.Contains(t.Name)).ToList();
        var plan = SeedPlan.Create(tables);
        var inserted = new Dictionary<string, int>(StringComparer.Ordinal);
        // A table that cannot be filled is reported only when rows are wanted of it.
        var unfilled = plan.Unfillable.Where(u => WantedRows(options, u.Table) > 0).Select(u => new UnfilledTable(u.Table.Name, 0, WantedRows(options, u.Table), u.Reason)).ToList();
        var insertedRows = new Dictionary<long, List<NpgsqlTid>>();

        foreach (var table in plan.Order)
        {
            var wanted = WantedRows(options, table);
            var filler = new TableFiller(connection, table, plan, options, cancellationToken);
            var result = await filler.FillAsync(wanted);
            inserted[table.Name] = result.Rows;
            insertedRows[table.Oid] = result.InsertedRows;
            if (result.Rows < wanted)
            {
                unfilled.Add(new UnfilledTable(table.Name, result.Rows, wanted, result.Reason ?? "unknown"));
            }
        }

        foreach (var (table, foreignKey) in plan.Deferred)
        {
            if (insertedRows.TryGetValue(table.Oid, out var rows) && rows.Count > 0)
            {
                await LinkDeferredAsync(connection, table, foreignKey, rows, Seeds.For(options.Seed, table.Name, foreignKey.Name), cancellationToken);
            }
        }

        foreach (var table in plan.Unfillable)
        {
            inserted[table.Table.Name] = 0;
        }

        return new SeedReport(inserted, unfilled.OrderBy(u => u.Table, StringComparer.Ordinal).ToList(), stopwatch.Elapsed);
    }

    private static int WantedRows(SeedOptions options, SeedTable table) =>
        options.Tables.GetValueOrDefault(table.Name)?.Rows ?? options.RowsPerTable;

    /// <summary>Points the rows inserted with a null foreign key (self-reference or broken cycle) at existing parent rows.</summary>
    private static async Task LinkDeferredAsync(NpgsqlConnection connection, SeedTable table, SeedConstraint foreignKey, List<NpgsqlTid> rows, int seed, CancellationToken cancellationToken)
    {
        var parents = new List<string[]>();
        var columns = string.Join(", ", foreignKey.ReferencedColumns.Select(Sql.Identifier));
        var sql = $"select {string.Join(", ", foreignKey.ReferencedColumns.Select(c => Sql.Identifier(c) + "::text"))} from {foreignKey.ReferencedTableSql} " +
                  $"where ({columns}) is not null order by {columns} limit {MaxParentRows}";
        await using (var read = new NpgsqlCommand(sql, connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                parents.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
            }
        }

        if (parents.Count == 0)
        {
            return;
        }

        var random = new Randomizer(seed);
        var selfReference = foreignKey.ReferencedTable == table.Oid;
        var tids = new List<NpgsqlTid>();
        var values = foreignKey.Columns.Select(_ => new List<string>()).ToArray();
        foreach (var tid in rows)
        {
            if (selfReference && random.Number(4) == 0)
            {
                continue; // some roots stay null
            }

            var parent = parents[random.Number(parents.Count - 1)];
            tids.Add(tid);
            for (var i = 0; i < values.Length; i++)
            {
                values[i].Add(parent[i]);
            }
        }

        var names = foreignKey.Columns.Select((c, i) => $"v{i}").ToList();
        var assignments = foreignKey.Columns.Select((c, i) => $"{Sql.Identifier(c)} = v.v{i}::{table.Column(c).ColumnTypeSql}");
        var update = $"update {table.SqlName} t set {string.Join(", ", assignments)} " +
                     $"from unnest($1::text[]::tid[], {string.Join(", ", names.Select((_, i) => $"${i + 2}::text[]"))}) as v(row_id, {string.Join(", ", names)}) where t.ctid = v.row_id";
        await using var command = new NpgsqlCommand(update, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tids.Select(t => $"({t.BlockNumber},{t.OffsetNumber})").ToArray() });
        foreach (var list in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = list.ToArray() });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Fills one table, attempt by attempt, directly or through a staging table.</summary>
    private sealed class TableFiller(NpgsqlConnection connection, SeedTable table, SeedPlan plan, SeedOptions options, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, int> checkRejections = new(StringComparer.Ordinal);
        private readonly List<NpgsqlTid> insertedRows = [];
        private int conflicts;
        private string? error;

        public async Task<(int Rows, List<NpgsqlTid> InsertedRows, string? Reason)> FillAsync(int wanted)
        {
            var rule = options.Tables.GetValueOrDefault(table.Name);
            var layout = await RowLayout.CreateAsync(connection, table, plan, rule, options.Seed, cancellationToken);
            if (layout.Problem is not null)
            {
                return (0, insertedRows, layout.Problem);
            }

            var staged = table.Checks.Any() || table.Constraints.Any(c => c.Type == 'x') || plan.Deferred.Any(d => d.Table == table);
            var rows = 0;
            var next = 0;
            for (var attempt = 0; attempt < options.MaxAttempts && rows < wanted && error is null; attempt++)
            {
                var batch = wanted - rows;
                if (!staged)
                {
                    try
                    {
                        await CopyAsync(layout, table.SqlName, next, batch);
                        rows += batch;
                        next += batch;
                        continue;
                    }
                    catch (PostgresException e) when (e.SqlState.StartsWith("23", StringComparison.Ordinal))
                    {
                        staged = true; // a key the generator could not make unique: go through staging from now on
                    }
                }

                // Generate twice what is missing: rows a check rejects or a key refuses are simply not used.
                rows += await StageAndInsertAsync(layout, next, batch * 2, batch);
                next += batch * 2;
            }

            return (rows, insertedRows, rows < wanted ? Reason() : null);
        }

        private string Reason()
        {
            var parts = checkRejections.Where(r => r.Value > 0).OrderBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => $"check constraint {r.Key} rejected {r.Value} generated rows").ToList();
            if (conflicts > 0)
            {
                parts.Add($"{conflicts} generated rows conflicted with a unique or exclusion constraint");
            }

            if (error is not null)
            {
                parts.Add(error);
            }

            return parts.Count == 0 ? "no rows could be generated" : string.Join("; ", parts) + $" (after {options.MaxAttempts} attempts)";
        }

        private async Task CopyAsync(RowLayout layout, string target, int first, int count)
        {
            var columns = string.Join(", ", layout.Columns.Select(c => c.Column.SqlName));
            await using var importer = await connection.BeginBinaryImportAsync($"copy {target} ({columns}) from stdin (format binary)", cancellationToken);
            var values = new object?[layout.Columns.Count];
            for (var row = first; row < first + count; row++)
            {
                layout.Fill(row, values);
                await importer.StartRowAsync(cancellationToken);
                for (var i = 0; i < values.Length; i++)
                {
                    var type = layout.Columns[i].WriteType;
                    if (values[i] is null)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else if (type.DbType is { } dbType)
                    {
                        await importer.WriteAsync(values[i], dbType, cancellationToken);
                    }
                    else
                    {
                        await importer.WriteAsync(values[i], type.DataTypeName!, cancellationToken);
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        private async Task<int> StageAndInsertAsync(RowLayout layout, int first, int count, int wanted)
        {
            var definition = string.Join(", ", table.Columns.Select(c => $"{c.SqlName} {c.BaseTypeSql}"));
            await ExecuteAsync($"drop table if exists {Stage}; create temp table tcdb_seed_stage ({definition})");
            try
            {
                await CopyAsync(layout, Stage, first, count);
                var remaining = count;
                foreach (var check in table.Checks)
                {
                    var expression = check.Definition!["CHECK ".Length..].Replace(" NOT VALID", string.Empty, StringComparison.Ordinal);
                    var rejected = await ExecuteAsync($"delete from {Stage} where ({expression}) is false");
                    checkRejections[check.Name] = checkRejections.GetValueOrDefault(check.Name) + rejected;
                    remaining -= rejected;
                }

                var columns = string.Join(", ", layout.Columns.Select(c => c.Column.SqlName));
                var insert = $"insert into {table.SqlName} ({columns}) select {columns} from {Stage} limit {wanted} on conflict do nothing returning ctid";
                var inserted = 0;
                await using (var command = new NpgsqlCommand(insert, connection))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        insertedRows.Add(reader.GetFieldValue<NpgsqlTid>(0));
                        inserted++;
                    }
                }

                conflicts += Math.Min(remaining, wanted) - inserted;
                return inserted;
            }
            catch (PostgresException e)
            {
                error = $"{e.MessageText}{(e.ConstraintName is null ? string.Empty : $" (constraint {e.ConstraintName})")}";
                return 0;
            }
            finally
            {
                await ExecuteAsync($"drop table if exists {Stage}");
            }
        }

        private async Task<int> ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

/// <summary>Per-table and per-column seeds derived from the run's seed (FNV-1a, stable across processes).</summary>
internal static class Seeds
{
    public static int For(int seed, params string[] parts)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var part in parts)
        {
            foreach (var c in part)
            {
                hash = (hash ^ c) * 16777619u;
            }

            hash = (hash ^ 0xff) * 16777619u;
        }

        return (int)(hash & 0x7fffffff);
    }
}
