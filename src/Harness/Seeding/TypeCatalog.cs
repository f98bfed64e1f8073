using System.Collections.Concurrent;
using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Seeding;

/// <summary>
/// Keeps the connection's data source knowing the database's user-defined types: binary COPY writes an enum,
/// domain, range or composite value (or an array of one) only if Npgsql has loaded that type, and a type created
/// after the data source loaded its types is unknown to it. Reloading reads every type of the database, so it
/// happens only when the types the seeder can write changed since the data source last loaded them.
/// </summary>
internal static class TypeCatalog
{
    // Every user-defined type but the row types of tables and views (and their array types), which no column uses
    // unless one does (then it counts too), each with the transaction that last wrote its row: a type created,
    // dropped, or recreated under the same name (a new oid) changes it. Oids and transaction ids are counters of
    // one server, so its start time is part of the stamp (another server may listen on the same address later).
    private const string StampSql = """
        select md5(pg_postmaster_start_time()::text || ';' || coalesce(string_agg(t.oid || ':' || t.xmin, ',' order by t.oid), ''))
        from pg_type t
          left join pg_class c on c.oid = t.typrelid
          left join pg_type e on e.oid = t.typelem
          left join pg_class ec on ec.oid = e.typrelid
        where t.oid >= 16384
          and ((coalesce(c.relkind, 'c') = 'c' and coalesce(ec.relkind, 'c') = 'c')
               or t.oid in (select a.atttypid from pg_attribute a where a.attrelid >= 16384 and a.attnum > 0 and not a.attisdropped))
        """;

    // Per data source (one per connection string), the stamp of the types it last loaded.
    private static readonly ConcurrentDictionary<string, string> Loaded = new(StringComparer.Ordinal);

    public static async Task ReloadWhenChangedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var stamp = (await Sql.ListPreparedAsync(connection, StampSql, r => r.GetString(0), cancellationToken))[0];
        var source = connection.ConnectionString;
        if (Loaded.TryGetValue(source, out var loaded) && loaded == stamp)
        {
            return;
        }

        await connection.ReloadTypesAsync(cancellationToken);
        Loaded[source] = stamp;
    }
}
