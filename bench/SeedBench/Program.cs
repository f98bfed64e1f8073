using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using Tcdb.Seeding;
using Tcdb.Snapshots;
using Tcdb.Testing;

// Seeding rate of a 10-column table and catalog snapshot time of a 40-table schema.
// Usage: tcdb-seed-bench [rows]; the server comes from TEST_DB_URL (or a throwaway cluster).
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
var server = await TestServer.GetAsync();
Console.WriteLine($"server: {server.Description}");
try
{
    await using (var database = await server.CreateDatabaseAsync())
    await using (var connection = await database.OpenAsync())
    {
        await Execute(connection, """
            create table bench10 (id bigint primary key, name text not null, qty integer not null, price numeric(10, 2), active boolean not null,
              tag uuid not null, created timestamptz not null, note varchar(100), score float8, day date)
            """);
        await Seeder.SeedAsync(connection, new SeedOptions { RowsPerTable = 1000, Seed = 1 }); // warm-up (JIT)
        await Execute(connection, "truncate bench10");
        var report = await Seeder.SeedAsync(connection, new SeedOptions { RowsPerTable = rows, Seed = 2 });
        Console.WriteLine($"seed: {report.TotalRows} rows of a 10-column table in {report.Elapsed.TotalMilliseconds:F0} ms = {report.TotalRows / report.Elapsed.TotalSeconds:F0} rows/s");
    }

    // Shaped rows: an entities table whose value the SQL below reads with typed keys, a nested array and a buffer.
    await using (var database = await server.CreateDatabaseAsync())
    await using (var connection = await database.OpenAsync())
    {
        await Execute(connection, "create table shaped_entities (partition_key text not null, row_key text not null, value jsonb not null, version integer not null, etag uuid not null, primary key (partition_key, row_key))");
        var shapes = Tcdb.Seeding.Shapes.SqlShapes.Infer([
            """
            create type color as enum ('red', 'green');
            insert into things (id, group_id, part, color, weight, born, payload, tags, active)
            select shaped_entities.partition_key, split_part(shaped_entities.row_key, '~', 1), split_part(shaped_entities.row_key, '~', 2)::integer,
              (shaped_entities.value ->> 'color')::color, (shaped_entities.value ->> 'weight')::integer, (shaped_entities.value ->> 'born')::timestamptz,
              entity_buf_decode(shaped_entities.value, 'payload')::jsonb, jsonb_array_elements(shaped_entities.value -> 'tags') ->> 'name',
              (shaped_entities.value ->> 'active')::boolean
            from shaped_entities;
            """,
        ]);
        var columns = new Dictionary<string, string> { ["partition_key"] = "text", ["row_key"] = "text", ["value"] = "jsonb" };
        SeedOptions Options(int count, int seed) => new()
        {
            RowsPerTable = count,
            Seed = seed,
            Tables = new Dictionary<string, TableSeedRule> { ["public.shaped_entities"] = new() { Columns = Tcdb.Seeding.Shapes.ShapedValues.RulesFor(shapes, "shaped_entities", columns) } },
        };
        await Seeder.SeedAsync(connection, Options(1000, 1)); // warm-up (JIT)
        await Execute(connection, "truncate shaped_entities");
        var report = await Seeder.SeedAsync(connection, Options(rows, 2));
        Console.WriteLine($"shaped seed: {report.TotalRows} entities rows (typed keys, split key, buffer) in {report.Elapsed.TotalMilliseconds:F0} ms = {report.TotalRows / report.Elapsed.TotalSeconds:F0} rows/s");
    }

    await using (var database = await server.CreateDatabaseAsync())
    await using (var connection = await database.OpenAsync())
    {
        var ddl = new StringBuilder("create type state as enum ('a', 'b', 'c');\n");
        for (var i = 0; i < 40; i++)
        {
            ddl.Append(CultureInfo.InvariantCulture, $"create table t{i:D2} (id integer primary key, name text not null, state state, created timestamptz not null default now(), data jsonb, parent_id integer{(i > 0 ? $" references t{i - 1:D2} (id)" : string.Empty)});\n");
            ddl.Append(CultureInfo.InvariantCulture, $"create index t{i:D2}_name_idx on t{i:D2} (lower(name)) where state = 'a';\n");
            ddl.Append(CultureInfo.InvariantCulture, $"create function t{i:D2}_get(id_in integer) returns table (id integer, name text) language plpgsql as $$begin return query select t.id, t.name from t{i:D2} t where t.id = id_in; end$$;\n");
            ddl.Append(CultureInfo.InvariantCulture, $"grant select on t{i:D2} to public;\n");
        }

        await Execute(connection, ddl.ToString());
        await CatalogSnapshot.TakeAsync(connection); // warm-up
        var times = new List<double>();
        CatalogSnapshot? snapshot = null;
        for (var run = 0; run < 7; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            snapshot = await CatalogSnapshot.TakeAsync(connection);
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"catalog snapshot: 40 tables, {snapshot!.Objects.Count} objects: median {times[times.Count / 2]:F0} ms (min {times[0]:F0}, max {times[^1]:F0})");
    }
}
finally
{
    await TestServer.ShutdownAsync();
}

static async Task Execute(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}
