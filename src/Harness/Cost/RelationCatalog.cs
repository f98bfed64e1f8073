using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Cost;

/// <summary>A table or index of the database at one moment.</summary>
/// <param name="Oid">Its oid.</param>
/// <param name="Name">Qualified name as written (<c>public.tasks</c>).</param>
/// <param name="SqlName">Qualified name quoted for SQL.</param>
/// <param name="Kind">pg_class.relkind: r, p, m for tables, i and I for indexes.</param>
/// <param name="FileNode">pg_class.relfilenode: changes when the relation is rewritten or rebuilt.</param>
/// <param name="Table">For an index, the oid of its table; else 0.</param>
/// <param name="TotalBytes">pg_total_relation_size (tables: with indexes and TOAST).</param>
internal sealed record Relation(long Oid, string Name, string SqlName, char Kind, long FileNode, long Table, long TotalBytes)
{
    public bool IsTable => Kind is 'r' or 'p' or 'm';
}

/// <summary>The user tables and indexes of a database (tcversion and the cost instruments left out).</summary>
internal sealed class RelationCatalog
{
    private readonly Dictionary<long, Relation> byOid;

    private RelationCatalog(IEnumerable<Relation> relations) => byOid = relations.ToDictionary(r => r.Oid);

    public IEnumerable<Relation> Relations => byOid.Values;

    public Relation? Find(long oid) => byOid.GetValueOrDefault(oid);

    public Relation? FindTable(string name) => byOid.Values.FirstOrDefault(r => r.IsTable && r.Name == name);

    public static async Task<RelationCatalog> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken) => new(await Sql.ListAsync(
        connection,
        """
        select c.oid::bigint, n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname), c.relkind::text, c.relfilenode::bigint,
               coalesce(i.indrelid, 0)::bigint, pg_total_relation_size(c.oid)
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_index i on i.indexrelid = c.oid
        where c.relkind in ('r', 'p', 'm', 'i', 'I')
          and n.nspname not in ('pg_catalog', 'information_schema', 'tcdb_cost')
          and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
          and not (n.nspname = 'public' and c.relname = 'tcversion')
          and (i.indrelid is null or i.indrelid is distinct from to_regclass('public.tcversion')::oid)
        """,
        r => new Relation(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)[0], r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)),
        cancellationToken));

    /// <summary>Exact row counts of some tables.</summary>
    public static async Task<IReadOnlyDictionary<long, long>> CountRowsAsync(NpgsqlConnection connection, IEnumerable<Relation> tables, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<long, long>();
        foreach (var table in tables)
        {
            counts[table.Oid] = await Sql.ScalarAsync<long>(connection, "select count(*) from " + table.SqlName, cancellationToken);
        }

        return counts;
    }
}
