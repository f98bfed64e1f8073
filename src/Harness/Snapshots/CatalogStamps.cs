namespace Tcdb.Snapshots;

/// <summary>
/// The cheap first pass of a reusing <see cref="CatalogSnapshot"/>: one stamp per group of recorded objects,
/// computed from which catalog rows exist and which transaction last wrote each (<c>xmin</c>), without printing
/// a definition. A group is a table, view, materialized view or sequence with its columns, constraints,
/// indexes, triggers, policies and the grants on them, or a function with the grants on it; both are keyed by
/// the oid of the relation or function. A group whose stamp an earlier snapshot of the run saw holds what it
/// held then, so only groups with new stamps are printed. Schemas (with their grants), extensions, types and
/// roles are few and printed every time.
/// <para>
/// Why a stamp decides the printed text. A catalog row's <c>xmin</c> names the transaction that wrote that
/// version of it; transaction ids and object ids come from counters of the whole cluster, and a database made
/// from a template copies its rows with their <c>xmin</c>, so within one server's lifetime (the postmaster's
/// start time is part of every stamp) a row's key and <c>xmin</c> fix its content in every database. What a
/// group prints comes from (1) its own rows: <c>pg_class</c>, <c>pg_attribute</c>, <c>pg_index</c>,
/// <c>pg_constraint</c>, <c>pg_attrdef</c>, <c>pg_sequence</c>, <c>pg_partitioned_table</c>,
/// <c>pg_inherits</c>, <c>pg_trigger</c>, <c>pg_policy</c>, <c>pg_rewrite</c> or <c>pg_proc</c>, and their
/// comments, listed with their <c>xmin</c> (a dropped or added row changes the list; an index's validity is
/// listed by value, since PostgreSQL may change it in place); (2) the names of what those rows point at by
/// oid, which PostgreSQL records in <c>pg_depend</c> and <c>pg_shdepend</c>: the pointers are listed with the
/// current qualified name of each table, column, type, function, schema and role they reach (a rename changes
/// the name, not the pointing row), and the extension an object belongs to. Two kinds of pointer are left out,
/// since what they reach is listed already: a pointer from a table's own rows to that table or one of its
/// columns (its <c>pg_class</c> and <c>pg_attribute</c> rows are the group's own, so a rename changes their
/// <c>xmin</c>; a system column cannot be renamed), and a pointer to the schema the group's table or function
/// is in (that row names the schema by oid, and the schema's name is listed with it; an index is always in its
/// table's schema). The print reads <c>pg_depend</c> itself only for extension membership and a sequence's
/// owning column, neither of which such a pointer is. And (3) the rest of the catalog:
/// operators, casts, collations, operator classes, languages, extensions, tablespaces (user-made rows, and any
/// built-in row written since the cluster was created) and the bootstrap superuser's name, which form one
/// stamp shared by every group. PostgreSQL records no dependency on a built-in object, which is why a built-in
/// row written after <c>initdb</c> (its <c>xmin</c> younger than <c>template0</c>'s freeze horizon) counts in
/// the shared stamp. A group's stamp is the md5 of its rows' text in byte order (the C collation: cheap, and
/// the same on every server), fed to the aggregate by a sorted subquery, which PostgreSQL's aggregates read in
/// order; were it ever read otherwise, equal rows would only give a different stamp and a needless print.
/// The joins to <c>pg_depend</c>, <c>pg_attribute</c> and <c>pg_description</c> are left to the planner, which
/// hashes or sorts those catalogs: looking them up by index for each of the group's rows is cheaper on a fresh
/// database, but a verification rewrites the same objects thousands of times, and every lookup of a key then
/// walks the index entries of all its dead row versions. Every recorded object was made after <c>initdb</c> (a
/// recorded schema is never a system one, see <see cref="CatalogSnapshotOptions.Schemas"/>), so its oid is at
/// least 16384, where PostgreSQL starts the oids of user-made objects: saying so lets the planner read only the
/// user-made part of <c>pg_class</c>, <c>pg_proc</c> and <c>pg_description</c> by their oid indexes, instead of
/// scanning and hashing the thousands of built-in rows.
/// Parameter: $1 the schemas.
/// </para>
/// </summary>
internal static class CatalogStamps
{
    /// <summary>The id of the shared stamp's row among the groups' rows.</summary>
    public const string Shared = "*";

    // Catalogs whose rows definitions print by name or consult when printing (an index prints its operator
    // class unless it is the type's default one), each counted whole in the shared stamp.
    private static readonly string[] SharedCatalogs =
    [
        "pg_operator", "pg_cast", "pg_collation", "pg_conversion", "pg_opclass", "pg_opfamily", "pg_am", "pg_language",
        "pg_ts_config", "pg_ts_dict", "pg_ts_parser", "pg_ts_template", "pg_transform", "pg_extension",
    ];

    // Catalogs whose user-made rows are followed per group: only their built-in rows count in the shared
    // stamp, and only when written since initdb.
    private static readonly string[] BuiltInRowsOnly = ["pg_proc", "pg_type", "pg_class"];

    // Rows written after template0 was frozen at the end of initdb are younger than its horizon.
    private const string Written = "age(x.xmin) < (select coalesce(min(age(d.datfrozenxid)) filter (where d.datname = 'template0'), 2147483647) from pg_database d)";

    private static readonly string SharedStamp =
        "select '" + Shared + "', md5(concat_ws(';', pg_postmaster_start_time()::text, pg_get_userbyid(10),\n" +
        "  (select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from pg_tablespace x),\n  " +
        string.Join(",\n  ", SharedCatalogs.Select(c => $"(select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from {c} x where x.oid >= 16384 or {Written})")) + ",\n  " +
        string.Join(",\n  ", BuiltInRowsOnly.Select(c => $"(select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from {c} x where x.oid < 16384 and {Written})")) + ")), false";

    /// <summary>
    /// Rows (group oid as text, stamp, whether the group is a function), one per table-like relation and function of
    /// the recorded schemas, then the shared stamp's row. A function's group is the one with its <c>pg_proc</c> row,
    /// the only row whose text starts with <c>p</c>.
    /// </summary>
    public static readonly string Sql = Groups(content: false) + "\nunion all\n" + SharedStamp;

    /// <summary>
    /// The content stamps of the function groups $5 lists: the same rows as <see cref="Sql"/>'s, but the function's
    /// <c>pg_proc</c> row and its comment are listed by their text instead of their <c>xmin</c>. A function that a
    /// downgrade or a re-upgrade writes again exactly as it was before is a new row version with the old text: its
    /// content stamp is the one an earlier snapshot saw. Computing it reads the whole row, so it is done only for the
    /// groups whose <c>xmin</c> stamp is new. No shared stamp row.
    /// </summary>
    public static readonly string ContentSql = Groups(content: true);

    private static string Groups(bool content)
    {
        // A content stamp leaves out the oid of the function itself, so that a function dropped and created again
        // as it was (a new oid) has the content stamp it had: the printed objects name a function, never its oid.
        string Own(string oid) => content ? "''" : oid;
        return $$"""
        with
        rels as (
          select c.oid, c.xmin, c.relnamespace, n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = any($1) and c.relkind in ('r', 'p', 'f', 'v', 'm', 'S') and c.oid >= 16384{{(content ? " and false" : string.Empty)}}),
        own(g, classid, objid, nsp, v) as (
          select r.oid, 'pg_class'::regclass::oid, r.oid, r.relnamespace, 'c' || r.oid || ':' || r.xmin || ':' || r.nspname from rels r
          union all select x.indrelid, 'pg_class'::regclass::oid, x.indexrelid, r.relnamespace, 'i' || x.indexrelid || ':' || c.xmin || ':' || x.xmin || ':' || x.indisvalid || x.indisclustered
            from pg_index x join rels r on r.oid = x.indrelid join pg_class c on c.oid = x.indexrelid
          union all select x.conrelid, 'pg_constraint'::regclass::oid, x.oid, r.relnamespace, 'k' || x.oid || ':' || x.xmin from pg_constraint x join rels r on r.oid = x.conrelid
          union all select x.adrelid, 'pg_attrdef'::regclass::oid, x.oid, r.relnamespace, 'd' || x.oid || ':' || x.xmin from pg_attrdef x join rels r on r.oid = x.adrelid
          union all select x.tgrelid, 'pg_trigger'::regclass::oid, x.oid, r.relnamespace, 't' || x.oid || ':' || x.xmin from pg_trigger x join rels r on r.oid = x.tgrelid
          union all select x.polrelid, 'pg_policy'::regclass::oid, x.oid, r.relnamespace, 'y' || x.oid || ':' || x.xmin from pg_policy x join rels r on r.oid = x.polrelid
          union all select x.ev_class, 'pg_rewrite'::regclass::oid, x.oid, r.relnamespace, 'w' || x.oid || ':' || x.xmin from pg_rewrite x join rels r on r.oid = x.ev_class
          union all select p.oid, 'pg_proc'::regclass::oid, p.oid, p.pronamespace, 'p' || {{(content ? "md5((to_jsonb(p) - 'oid')::text)" : "p.oid || ':' || p.xmin")}} || ':' || n.nspname
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1) and p.oid >= 16384{{(content ? " and p.oid = any($5)" : string.Empty)}}),
        deps(g, v, refclassid, refobjid, refobjsubid) as (
          select o.g, 'D' || d.classid || '.' || {{Own("d.objid")}} || '.' || d.objsubid || '>' || d.refclassid || '.' || d.refobjid || '.' || d.refobjsubid || d.deptype::text,
            d.refclassid, d.refobjid, d.refobjsubid
          from own o join pg_depend d on d.classid = o.classid and d.objid = o.objid
          where (d.refclassid in ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_namespace'::regclass) or d.deptype = 'e')
            and not (d.refclassid = 'pg_class'::regclass and d.refobjid = o.g and o.classid <> 'pg_proc'::regclass)
            and not (d.refclassid = 'pg_namespace'::regclass and d.refobjid = o.nsp)),
        versions(g, v) as (
          select o.g, o.v from own o
          union all select o.g, 'a' || x.attrelid || '.' || x.attnum || ':' || x.xmin from own o join pg_attribute x on x.attrelid = o.objid
            where o.classid = 'pg_class'::regclass and x.attnum > 0
          union all select o.g, 's' || x.seqrelid || ':' || x.xmin from own o join pg_sequence x on x.seqrelid = o.objid where o.classid = 'pg_class'::regclass
          union all select o.g, 'q' || x.partrelid || ':' || x.xmin from own o join pg_partitioned_table x on x.partrelid = o.objid where o.classid = 'pg_class'::regclass
          union all select o.g, 'h' || x.inhrelid || '.' || x.inhparent || ':' || x.xmin from own o join pg_inherits x on x.inhrelid = o.objid where o.classid = 'pg_class'::regclass
          union all select o.g, 'm' || x.classoid || '.' || {{Own("x.objoid")}} || '.' || x.objsubid || ':' || {{(content ? "md5(x.description)" : "x.xmin")}} from own o join pg_description x on x.objoid = o.objid and x.classoid = o.classid and x.objoid >= 16384
          union all select d.g, d.v from deps d where d.refclassid not in ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_namespace'::regclass)
          union all select d.g, d.v || '=' || coalesce(n.nspname, '') from deps d left join pg_namespace n on n.oid = d.refobjid where d.refclassid = 'pg_namespace'::regclass
          union all select d.g, d.v || '=' || coalesce(n.nspname || '.' || p.proname, '')
            from deps d left join pg_proc p on p.oid = d.refobjid left join pg_namespace n on n.oid = p.pronamespace where d.refclassid = 'pg_proc'::regclass
          union all select d.g, d.v || '=' || coalesce(n.nspname || '.' || t.typname || coalesce('/' || en.nspname || '.' || et.typname, ''), '')
            from deps d left join pg_type t on t.oid = d.refobjid left join pg_namespace n on n.oid = t.typnamespace
              left join pg_type et on t.typelem <> 0 and et.oid = t.typelem left join pg_namespace en on en.oid = et.typnamespace
            where d.refclassid = 'pg_type'::regclass
          union all select d.g, d.v || '=' || coalesce(n.nspname || '.' || c.relname || coalesce('.' || a.attname, ''), '')
            from deps d left join pg_class c on c.oid = d.refobjid left join pg_namespace n on n.oid = c.relnamespace
              left join pg_attribute a on d.refobjsubid <> 0 and a.attrelid = d.refobjid and a.attnum = d.refobjsubid
            where d.refclassid = 'pg_class'::regclass
          union all select o.g, 'S' || s.classid || '.' || {{Own("s.objid")}} || '.' || s.objsubid || '>' || s.refobjid || s.deptype::text || '=' || coalesce(a.rolname, '')
            from own o join pg_shdepend s on s.classid = o.classid and s.objid = o.objid
              left join pg_roles a on a.oid = s.refobjid
            where s.dbid = (select d.oid from pg_database d where d.datname = current_database()))
        select v.g::text, md5(string_agg(v.v, ',')), bool_or(v.v like 'p%') from (select w.g, w.v from versions w order by w.g, w.v collate "C") v group by v.g
        """;
    }
}
