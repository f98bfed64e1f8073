namespace Tcdb.Snapshots;

/// <summary>
/// The cheap first pass of a reusing <see cref="CatalogSnapshot"/>: one stamp per stored function of the
/// recorded schemas, computed from which catalog rows exist and which transaction last wrote each
/// (<c>xmin</c>), without printing a definition. A function whose stamp an earlier snapshot of the run saw
/// has the definition and the grants it had then, so only functions with new stamps are printed. Functions
/// are most of what a Taskcluster catalog prints (hundreds of bodies and their grants); the other kinds are
/// few and printed every time.
/// <para>
/// Why a stamp decides the printed text. A catalog row's <c>xmin</c> names the transaction that wrote that
/// version of it; transaction ids and object ids come from counters of the whole cluster, and a database made
/// from a template copies its rows with their <c>xmin</c>, so within one server's lifetime (the postmaster's
/// start time is part of every stamp) a row's key and <c>xmin</c> fix its content in every database. What a
/// function prints comes from (1) its own rows: <c>pg_proc</c> (signature, body, settings, owner, privileges)
/// and its comment, listed with their <c>xmin</c> (a dropped or added comment changes the list); (2) the names
/// of what those rows point at by oid, which PostgreSQL records in <c>pg_depend</c> and <c>pg_shdepend</c>:
/// the pointers are listed with the current qualified name of each type, table, function, schema and role they
/// reach (a rename changes the name, not the pointing row), and the extension a function belongs to; and (3)
/// the rest of the catalog: operators, casts, collations, languages, extensions, tablespaces (user-made rows,
/// and any built-in row written since the cluster was created) and the bootstrap superuser's name, which form
/// one stamp shared by every function. PostgreSQL records no dependency on a built-in object, which is why a
/// built-in row written after <c>initdb</c> (its <c>xmin</c> younger than <c>template0</c>'s freeze horizon)
/// counts in the shared stamp. Parameter: $1 the schemas.
/// </para>
/// </summary>
internal static class CatalogStamps
{
    /// <summary>The id of the shared stamp's row among the functions' rows.</summary>
    public const string Shared = "*";

    // Catalogs whose rows a function's definition can print by name (argument defaults are expressions),
    // each counted whole in the shared stamp.
    private static readonly string[] SharedCatalogs =
    [
        "pg_operator", "pg_cast", "pg_collation", "pg_conversion", "pg_opclass", "pg_opfamily", "pg_am", "pg_language",
        "pg_ts_config", "pg_ts_dict", "pg_ts_parser", "pg_ts_template", "pg_transform", "pg_extension",
    ];

    // Catalogs whose user-made rows are followed per function: only their built-in rows count in the shared
    // stamp, and only when written since initdb.
    private static readonly string[] BuiltInRowsOnly = ["pg_proc", "pg_type", "pg_class"];

    // Rows written after template0 was frozen at the end of initdb are younger than its horizon.
    private const string Written = "age(x.xmin) < (select coalesce(min(age(d.datfrozenxid)) filter (where d.datname = 'template0'), 2147483647) from pg_database d)";

    private static readonly string SharedStamp =
        "select '" + Shared + "', md5(concat_ws(';', pg_postmaster_start_time()::text, pg_get_userbyid(10),\n" +
        "  (select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from pg_tablespace x),\n  " +
        string.Join(",\n  ", SharedCatalogs.Select(c => $"(select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from {c} x where x.oid >= 16384 or {Written})")) + ",\n  " +
        string.Join(",\n  ", BuiltInRowsOnly.Select(c => $"(select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from {c} x where x.oid < 16384 and {Written})")) + "))";

    /// <summary>Rows (function oid as text, stamp), one per function of the recorded schemas, then the shared stamp's row.</summary>
    public static readonly string Sql = """
        with
        own(oid) as (select p.oid from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1)),
        versions(oid, v) as (
          select o.oid, 'p' || x.oid || ':' || x.xmin from own o join pg_proc x on x.oid = o.oid
          union all select o.oid, 'm' || x.objsubid || ':' || x.xmin from own o join pg_description x on x.objoid = o.oid and x.classoid = 'pg_proc'::regclass
          union all select o.oid, 'D' || d.objsubid || '>' || d.refclassid || '.' || d.refobjid || '.' || d.refobjsubid || d.deptype::text || '=' ||
              coalesce(tn.nspname || '.' || rt.typname || coalesce('/' || en.nspname || '.' || et.typname, ''),
                       rn.nspname || '.' || rc.relname || coalesce('.' || ra.attname, ''),
                       pn.nspname || '.' || rp.proname, rs.nspname, '')
            from own o join pg_depend d on d.classid = 'pg_proc'::regclass and d.objid = o.oid
              left join pg_type rt on d.refclassid = 'pg_type'::regclass and rt.oid = d.refobjid
              left join pg_namespace tn on tn.oid = rt.typnamespace
              left join pg_type et on rt.typelem <> 0 and et.oid = rt.typelem
              left join pg_namespace en on en.oid = et.typnamespace
              left join pg_class rc on d.refclassid = 'pg_class'::regclass and rc.oid = d.refobjid
              left join pg_namespace rn on rn.oid = rc.relnamespace
              left join pg_attribute ra on d.refclassid = 'pg_class'::regclass and d.refobjsubid <> 0 and ra.attrelid = d.refobjid and ra.attnum = d.refobjsubid
              left join pg_proc rp on d.refclassid = 'pg_proc'::regclass and rp.oid = d.refobjid
              left join pg_namespace pn on pn.oid = rp.pronamespace
              left join pg_namespace rs on d.refclassid = 'pg_namespace'::regclass and rs.oid = d.refobjid
            where d.refclassid in ('pg_type'::regclass, 'pg_class'::regclass, 'pg_proc'::regclass, 'pg_namespace'::regclass) or d.deptype = 'e'
          union all select o.oid, 'S' || s.objsubid || '>' || s.refobjid || s.deptype::text || '=' || coalesce(a.rolname, '')
            from own o join pg_shdepend s on s.classid = 'pg_proc'::regclass and s.objid = o.oid
              left join pg_roles a on a.oid = s.refobjid
            where s.dbid = (select d.oid from pg_database d where d.datname = current_database()))
        select v.oid::text, md5(string_agg(v.v, ',' order by v.v)) from versions v group by v.oid
        union all

        """ + SharedStamp;
}
