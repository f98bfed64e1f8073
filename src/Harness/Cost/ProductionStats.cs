using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using Tcdb.Migration;

namespace Tcdb.Cost;

/// <summary>The size of one table of a real database.</summary>
/// <param name="Table">Qualified name, e.g. <c>public.tasks</c>.</param>
/// <param name="Rows">Estimated rows (pg_class.reltuples after ANALYZE, else the statistics' live tuples).</param>
/// <param name="TotalBytes">pg_total_relation_size: the table with its indexes and TOAST.</param>
public sealed record TableSize(string Table, long Rows, long TotalBytes);

/// <summary>Thrown for a stats file that cannot be used; the message names the file and what is wrong.</summary>
public sealed class StatsFileException(string message) : Exception(message);

/// <summary>
/// Row counts and sizes of the tables of a real database, read from the catalog and the statistics views only
/// (never row data), so that <c>tcdb cost</c> can extrapolate its measurements to production size.
/// </summary>
public sealed record ProductionStats(string Source, string ServerVersion, DateTimeOffset TakenAt, IReadOnlyList<TableSize> Tables)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };


    /// <summary>The table's size, by qualified name or, for schema public, by bare name.</summary>
    public TableSize? Find(string qualifiedTable)
    {
        var bare = qualifiedTable.StartsWith("public.", StringComparison.Ordinal) ? qualifiedTable["public.".Length..] : null;
        return Tables.FirstOrDefault(t => t.Table == qualifiedTable) ?? (bare is null ? null : Tables.FirstOrDefault(t => t.Table == bare));
    }

    /// <summary>Reads the sizes of every user table of the database behind <paramref name="connection"/>.</summary>
    public static async Task<ProductionStats> ReadAsync(NpgsqlConnection connection, string source, CancellationToken cancellationToken = default)
    {
        var version = await Sql.ScalarAsync<string>(connection, "select current_setting('server_version')", cancellationToken) ?? string.Empty;
        var tables = await Sql.ListAsync(
            connection,
            """
            select n.nspname || '.' || c.relname,
                   case when c.reltuples > 0 then c.reltuples::bigint else coalesce(s.n_live_tup, 0) end,
                   pg_total_relation_size(c.oid)
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            left join pg_stat_user_tables s on s.relid = c.oid
            where c.relkind in ('r', 'm')
              and n.nspname not in ('pg_catalog', 'information_schema')
              and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
            order by 1
            """,
            r => new TableSize(r.GetString(0), r.GetInt64(1), r.GetInt64(2)),
            cancellationToken);
        return new ProductionStats(source, version, DateTimeOffset.UtcNow, tables);
    }

    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            source = Source,
            serverVersion = ServerVersion,
            takenAt = TakenAt.ToString("o", CultureInfo.InvariantCulture),
            tables = Tables.Select(t => new { table = t.Table, rows = t.Rows, totalBytes = t.TotalBytes }),
        },
        Indented);

    /// <summary>Loads a file written by <c>tcdb stats</c> (or by hand: only <c>tables[].table</c> and <c>tables[].rows</c> are required).</summary>
    /// <exception cref="StatsFileException">missing, not JSON, or a table entry without a name or a count.</exception>
    public static ProductionStats Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StatsFileException($"{path}: cannot read the stats file: {e.Message}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new StatsFileException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message.Split(" Path:", 2)[0]}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("tables", out var tablesElement) || tablesElement.ValueKind != JsonValueKind.Array)
            {
                throw new StatsFileException($"{path}: expected an object with a \"tables\" array (as `tcdb stats` writes)");
            }

            var tables = new List<TableSize>();
            var index = 0;
            foreach (var entry in tablesElement.EnumerateArray())
            {
                var at = $"{path}: tables[{index}]";
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw new StatsFileException($"{at}: expected an object with \"table\" and \"rows\"");
                }

                var name = entry.TryGetProperty("table", out var t) && t.ValueKind == JsonValueKind.String && t.GetString()!.Length > 0
                    ? t.GetString()!
                    : throw new StatsFileException($"{at}.table: expected the table's name, e.g. \"public.tasks\"");
                var rows = Count(entry, "rows", at + $" ({name})", required: true);
                var bytes = Count(entry, "totalBytes", at + $" ({name})", required: false);
                tables.Add(new TableSize(name, rows, bytes));
                index++;
            }

            return new ProductionStats(
                root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : path,
                root.TryGetProperty("serverVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : string.Empty,
                root.TryGetProperty("takenAt", out var d) && d.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(d.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var taken) ? taken : DateTimeOffset.MinValue,
                tables);
        }
    }

    private static long Count(JsonElement entry, string property, string at, bool required)
    {
        if (!entry.TryGetProperty(property, out var value))
        {
            return required ? throw new StatsFileException($"{at}: \"{property}\" is missing") : 0;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= 0
            ? (long)number
            : throw new StatsFileException($"{at}: \"{property}\" must be a non-negative number, not {value.GetRawText()}");
    }
}
