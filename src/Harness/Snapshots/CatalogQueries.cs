namespace Tcdb.Snapshots;

/// <summary>
/// The catalog queries behind <see cref="CatalogSnapshot"/>. Every query returns the same shape:
/// kind, qualified name, properties (jsonb of text values, absent when not applicable), the owning
/// extension (pg_depend deptype 'e'), a subject for the harness-ownership rules (<c>rel:</c>,
/// <c>fn:</c>, <c>ext:</c>), a column position, and the oid of the group the object belongs to (the table or
/// function, see <see cref="CatalogStamps"/>; null for the kinds printed every time). Parameters: $1 schemas,
/// $2 role prefix (null: any), $3 include PUBLIC grants, $5 the oids of the groups to print (when not every group is). Run with <c>search_path = pg_catalog</c> so every
/// name is qualified.
/// </summary>
internal static class CatalogQueries
{
    /// <summary>
    /// Whether a column is generated: <c>'s'</c> (stored), else empty; PostgreSQL 11 has no generated columns.
    /// Alias <c>a</c> is the column's pg_attribute row.
    /// </summary>
    public static string Generated(int major) => major >= 12 ? "a.attgenerated::text" : "''::text";

    // Whether the group of that oid is printed: every group, or those $5 lists. Written as the bare
    // `= any($5)` when some are listed, so the server looks the listed groups up by index instead of
    // scanning (and filtering) every relation, function and column of the schemas.
    private static string GroupFilter(bool everyGroup, string oid) => everyGroup ? "true" : $"{oid} = any($5::oid[])";

    private static string ExtensionOf(string catalog, string oid) =>
        $"(select e.extname from pg_depend d join pg_extension e on e.oid = d.refobjid where d.classid = '{catalog}'::regclass and d.objid = {oid} and d.refclassid = 'pg_extension'::regclass and d.deptype = 'e' limit 1)";

    /// <summary>
    /// The grants on the objects <paramref name="objects"/> lists (type, name, column, acl, owner, the kind of the
    /// default acl, extension, subject, group), one row per privilege and grantee of the recorded roles (and PUBLIC's
    /// when $3); an object without an acl has its owner's default privileges.
    /// </summary>
    private static string Grants(string objects) => $"""
        with objects as (
        {objects}
        ),
        privileges as (
          select o.object_type, o.object_name, o.column_name, o.extension, o.subject, o.grp, a.grantee, a.privilege_type, a.is_grantable
          from objects o, aclexplode(coalesce(o.acl, acldefault(o.default_kind::"char", o.owner))) a
          where o.acl is not null or o.default_kind is not null
        )
        select 'Grant',
          p.privilege_type || coalesce(' (' || p.column_name || ')', '') || ' on ' || p.object_type || ' ' || p.object_name || ' to '
            || case when p.grantee = 0 then 'PUBLIC' else pg_get_userbyid(p.grantee) end,
          jsonb_build_object('grantable', case when bool_or(p.is_grantable) then 'yes' else 'no' end),
          min(p.extension), min(p.subject), null::int, min(p.grp)
        from privileges p
        where (p.grantee = 0 and $3) or (p.grantee <> 0 and ($2::text is null or left(pg_get_userbyid(p.grantee), length($2::text)) = $2::text))
        group by 2
        """;

    // PostgreSQL 14 and later print the IN mode of procedure arguments; 11 does not.
    private const string IdentityArguments =
        "case when p.prokind = 'p' then regexp_replace(pg_get_function_identity_arguments(p.oid), '(^|, )IN ', '\\1', 'g') else pg_get_function_identity_arguments(p.oid) end";

    private const string Arguments =
        "case when p.prokind = 'p' then regexp_replace(pg_get_function_arguments(p.oid), '(^|, )IN ', '\\1', 'g') else pg_get_function_arguments(p.oid) end";

    /// <summary>
    /// The queries for PostgreSQL <paramref name="major"/>: with <paramref name="everyGroup"/> they print every
    /// group, else only the groups $5 lists (schemas, their grants, extensions, types and roles are printed either way).
    /// </summary>
    public static IReadOnlyList<CatalogQuery> For(int major, bool everyGroup = true)
    {
        string Printed(string oid) => GroupFilter(everyGroup, oid);
        var withOids = major < 12 ? "case when c.relhasoids then 'true' end" : "null::text";
        var generated = Generated(major);
        var body = major >= 14 ? "coalesce(pg_get_function_sqlbody(p.oid), p.prosrc)" : "p.prosrc";
        return
        [
            new([CatalogObjectKind.Schema], GroupKinds.None, """
            select 'Schema', n.nspname, jsonb_strip_nulls(jsonb_build_object(
                'owner', pg_get_userbyid(n.nspowner), 'comment', obj_description(n.oid, 'pg_namespace'))),
              null::text, null::text, null::int, null::text
            from pg_namespace n where n.nspname = any($1)
            """),
            new([CatalogObjectKind.Extension], GroupKinds.None, """
            select 'Extension', e.extname, jsonb_build_object('version', e.extversion, 'schema', n.nspname, 'owner', pg_get_userbyid(e.extowner)),
              null::text, 'ext:' || e.extname, null::int, null::text
            from pg_extension e join pg_namespace n on n.oid = e.extnamespace
            """),
            new([CatalogObjectKind.Table], GroupKinds.Relations, $"""
            select 'Table', n.nspname || '.' || c.relname, jsonb_strip_nulls(jsonb_build_object(
                'owner', pg_get_userbyid(c.relowner),
                'foreign', case when c.relkind = 'f' then 'yes' end,
                'partition key', case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end,
                'partition of', (select pn.nspname || '.' || pc.relname from pg_inherits i join pg_class pc on pc.oid = i.inhparent
                                 join pg_namespace pn on pn.oid = pc.relnamespace where i.inhrelid = c.oid and c.relispartition),
                'partition bound', case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end,
                'persistence', case c.relpersistence when 'u' then 'unlogged' when 't' then 'temporary' end,
                'row security', case when c.relrowsecurity then 'enabled' end,
                'force row security', case when c.relforcerowsecurity then 'yes' end,
                'options', array_to_string(c.reloptions, ', '),
                'with oids', {withOids},
                'comment', obj_description(c.oid, 'pg_class'))),
              {ExtensionOf("pg_class", "c.oid")}, 'rel:' || c.relname, null::int, c.oid::text
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any($1) and c.relkind in ('r', 'p', 'f') and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.Column], GroupKinds.Relations, $"""
            select 'Column', n.nspname || '.' || c.relname || '.' || a.attname, jsonb_strip_nulls(jsonb_build_object(
                'type', format_type(a.atttypid, a.atttypmod),
                'nullable', case when a.attnotnull then 'no' else 'yes' end,
                'default', case when {generated} = '' then pg_get_expr(d.adbin, d.adrelid) end,
                'generated', case when {generated} = 's' then pg_get_expr(d.adbin, d.adrelid) end,
                'identity', case a.attidentity when 'a' then 'always' when 'd' then 'by default' end,
                'collation', case when a.attcollation <> t.typcollation then cn.nspname || '.' || co.collname end,
                'comment', col_description(c.oid, a.attnum))),
              {ExtensionOf("pg_class", "c.oid")}, 'rel:' || c.relname, (rank() over (partition by c.oid order by a.attnum))::int, c.oid::text
            from pg_attribute a
              join pg_class c on c.oid = a.attrelid
              join pg_namespace n on n.oid = c.relnamespace
              join pg_type t on t.oid = a.atttypid
              left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
              left join pg_collation co on co.oid = a.attcollation
              left join pg_namespace cn on cn.oid = co.collnamespace
            where n.nspname = any($1) and c.relkind in ('r', 'p', 'f') and a.attnum > 0 and not a.attisdropped and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.Constraint], GroupKinds.Relations, $"""
            select 'Constraint', n.nspname || '.' || c.relname || '.' || co.conname, jsonb_strip_nulls(jsonb_build_object(
                'type', case co.contype when 'p' then 'primary key' when 'f' then 'foreign key' when 'u' then 'unique'
                                        when 'c' then 'check' when 'x' then 'exclusion' end,
                'definition', pg_get_constraintdef(co.oid),
                'deferrable', case when not co.condeferrable then 'no' when co.condeferred then 'initially deferred' else 'initially immediate' end,
                'validated', case when not co.convalidated then 'no' end,
                'comment', obj_description(co.oid, 'pg_constraint'))),
              null::text, 'rel:' || c.relname, null::int, c.oid::text
            from pg_constraint co join pg_class c on c.oid = co.conrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any($1) and co.contype in ('p', 'f', 'u', 'c', 'x') and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.Index], GroupKinds.Relations, $"""
            select 'Index', n.nspname || '.' || ic.relname, jsonb_strip_nulls(jsonb_build_object(
                'table', tn.nspname || '.' || c.relname,
                'definition', pg_get_indexdef(i.indexrelid),
                'valid', case when not i.indisvalid then 'no' end,
                'clustered', case when i.indisclustered then 'yes' end,
                'comment', obj_description(ic.oid, 'pg_class'))),
              {ExtensionOf("pg_class", "ic.oid")}, 'rel:' || c.relname, null::int, c.oid::text
            from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_namespace n on n.oid = ic.relnamespace
              join pg_class c on c.oid = i.indrelid join pg_namespace tn on tn.oid = c.relnamespace
            where n.nspname = any($1) and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.Sequence], GroupKinds.Relations, $"""
            select 'Sequence', n.nspname || '.' || c.relname, jsonb_strip_nulls(jsonb_build_object(
                'owner', pg_get_userbyid(c.relowner),
                'type', format_type(s.seqtypid, null),
                'start', s.seqstart::text, 'increment', s.seqincrement::text, 'min', s.seqmin::text, 'max', s.seqmax::text,
                'cache', s.seqcache::text, 'cycle', case when s.seqcycle then 'yes' else 'no' end,
                'owned by', (select dn.nspname || '.' || dc.relname || '.' || da.attname || case d.deptype when 'i' then ' (identity)' else '' end
                             from pg_depend d join pg_class dc on dc.oid = d.refobjid join pg_namespace dn on dn.oid = dc.relnamespace
                               join pg_attribute da on da.attrelid = d.refobjid and da.attnum = d.refobjsubid
                             where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass
                               and d.deptype in ('a', 'i') limit 1),
                'comment', obj_description(c.oid, 'pg_class'))),
              {ExtensionOf("pg_class", "c.oid")},
              'rel:' || coalesce((select dc.relname from pg_depend d join pg_class dc on dc.oid = d.refobjid
                                  where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass
                                    and d.deptype in ('a', 'i') limit 1), c.relname), null::int, c.oid::text
            from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_sequence s on s.seqrelid = c.oid
            where n.nspname = any($1) and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.View, CatalogObjectKind.MaterializedView], GroupKinds.Relations, $"""
            select case c.relkind when 'v' then 'View' else 'MaterializedView' end, n.nspname || '.' || c.relname, jsonb_strip_nulls(jsonb_build_object(
                'owner', pg_get_userbyid(c.relowner),
                'definition', pg_get_viewdef(c.oid),
                'options', array_to_string(c.reloptions, ', '),
                'populated', case when c.relkind = 'm' and not c.relispopulated then 'no' end,
                'comment', obj_description(c.oid, 'pg_class'))),
              {ExtensionOf("pg_class", "c.oid")}, 'rel:' || c.relname, null::int, c.oid::text
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any($1) and c.relkind in ('v', 'm') and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.EnumType, CatalogObjectKind.CompositeType, CatalogObjectKind.Domain, CatalogObjectKind.RangeType], GroupKinds.None, $"""
            select case t.typtype when 'e' then 'EnumType' when 'c' then 'CompositeType' when 'd' then 'Domain' else 'RangeType' end,
              n.nspname || '.' || t.typname, jsonb_strip_nulls(jsonb_build_object(
                'owner', pg_get_userbyid(t.typowner),
                'labels', case when t.typtype = 'e' then (select jsonb_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid)::text end,
                'attributes', case when t.typtype = 'c' then (select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' order by a.attnum)
                                                              from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) end,
                'base type', case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end,
                'nullable', case when t.typtype = 'd' then case when t.typnotnull then 'no' else 'yes' end end,
                'default', case when t.typtype = 'd' then pg_get_expr(t.typdefaultbin, 0) end,
                'constraints', case when t.typtype = 'd' then (select string_agg(co.conname || ': ' || pg_get_constraintdef(co.oid), '; ' order by co.conname)
                                                               from pg_constraint co where co.contypid = t.oid) end,
                'subtype', case when t.typtype = 'r' then (select format_type(r.rngsubtype, null) from pg_range r where r.rngtypid = t.oid) end,
                'comment', obj_description(t.oid, 'pg_type'))),
              {ExtensionOf("pg_type", "t.oid")}, null::text, null::int, null::text
            from pg_type t join pg_namespace n on n.oid = t.typnamespace left join pg_class tc on t.typtype = 'c' and tc.oid = t.typrelid
            where n.nspname = any($1) and (t.typtype in ('e', 'd', 'r') or (t.typtype = 'c' and tc.relkind = 'c'))
            """),
            new([CatalogObjectKind.Function, CatalogObjectKind.Procedure, CatalogObjectKind.Aggregate], GroupKinds.Functions, $"""
            select case p.prokind when 'p' then 'Procedure' when 'a' then 'Aggregate' else 'Function' end,
              n.nspname || '.' || p.proname || '(' || {IdentityArguments} || ')', jsonb_strip_nulls(jsonb_build_object(
                'owner', pg_get_userbyid(p.proowner),
                'arguments', {Arguments},
                'returns', case when p.prokind <> 'p' then pg_get_function_result(p.oid) end,
                'language', l.lanname,
                'volatility', case p.provolatile when 'i' then 'immutable' when 's' then 'stable' else 'volatile' end,
                'strict', case when p.proisstrict then 'yes' end,
                'security', case when p.prosecdef then 'definer' else 'invoker' end,
                'leakproof', case when p.proleakproof then 'yes' end,
                'parallel', case p.proparallel when 's' then 'safe' when 'r' then 'restricted' else 'unsafe' end,
                'cost', p.procost::numeric::text,
                'rows', case when p.proretset then p.prorows::numeric::text end,
                'config', array_to_string(p.proconfig, ', '),
                'body', case when p.prokind <> 'a' then {body} end,
                'comment', obj_description(p.oid, 'pg_proc'))),
              {ExtensionOf("pg_proc", "p.oid")}, 'fn:' || p.proname, null::int, p.oid::text
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
            where n.nspname = any($1) and {Printed("p.oid")}
            """),
            new([CatalogObjectKind.Trigger], GroupKinds.Relations, $"""
            select 'Trigger', n.nspname || '.' || c.relname || '.' || t.tgname, jsonb_build_object(
                'definition', replace(pg_get_triggerdef(t.oid), ' EXECUTE PROCEDURE ', ' EXECUTE FUNCTION '),
                'enabled', case t.tgenabled when 'O' then 'origin' when 'D' then 'disabled' when 'R' then 'replica' else 'always' end),
              null::text, 'rel:' || c.relname, null::int, c.oid::text
            from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any($1) and not t.tgisinternal and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.Policy], GroupKinds.Relations, $"""
            select 'Policy', n.nspname || '.' || c.relname || '.' || p.polname, jsonb_strip_nulls(jsonb_build_object(
                'command', case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE' else 'ALL' end,
                'mode', case when p.polpermissive then 'permissive' else 'restrictive' end,
                'roles', (select string_agg(r.name, ', ' order by r.name)
                          from (select case when o = 0 then 'PUBLIC' else pg_get_userbyid(o) end as name from unnest(p.polroles) o) r),
                'using', pg_get_expr(p.polqual, p.polrelid),
                'with check', pg_get_expr(p.polwithcheck, p.polrelid))),
              null::text, 'rel:' || c.relname, null::int, c.oid::text
            from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any($1) and {Printed("c.oid")}
            """),
            new([CatalogObjectKind.Grant], GroupKinds.Relations, Grants($"""
              select case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as object_type,
                n.nspname || '.' || c.relname as object_name, null::text as column_name, c.relacl as acl, c.relowner as owner,
                case c.relkind when 'S' then 's' else 'r' end as default_kind,
                {ExtensionOf("pg_class", "c.oid")} as extension, 'rel:' || c.relname as subject, c.oid::text as grp
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = any($1) and c.relkind in ('r', 'p', 'f', 'v', 'm', 'S') and {Printed("c.oid")}
              union all
              select 'table', n.nspname || '.' || c.relname, a.attname, a.attacl, null::oid, null,
                {ExtensionOf("pg_class", "c.oid")}, 'rel:' || c.relname, c.oid::text
              from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = any($1) and a.attacl is not null and a.attnum > 0 and not a.attisdropped and {Printed("c.oid")}
              """)),
            new([CatalogObjectKind.Grant], GroupKinds.Functions, Grants($"""
              select case p.prokind when 'p' then 'procedure' else 'function' end as object_type,
                n.nspname || '.' || p.proname || '(' || {IdentityArguments} || ')' as object_name, null::text as column_name, p.proacl as acl,
                p.proowner as owner, 'f' as default_kind, {ExtensionOf("pg_proc", "p.oid")} as extension, 'fn:' || p.proname as subject, p.oid::text as grp
              from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname = any($1) and {Printed("p.oid")}
              """)),
            new([CatalogObjectKind.Grant], GroupKinds.None, Grants("""
              select 'schema' as object_type, n.nspname as object_name, null::text as column_name, n.nspacl as acl, n.nspowner as owner,
                'n' as default_kind, null::text as extension, null::text as subject, null::text as grp
              from pg_namespace n where n.nspname = any($1)
              """)),
            new([CatalogObjectKind.Role], GroupKinds.None, """
            select 'Role', r.rolname, jsonb_strip_nulls(jsonb_build_object(
                'superuser', case when r.rolsuper then 'yes' else 'no' end,
                'inherit', case when r.rolinherit then 'yes' else 'no' end,
                'create role', case when r.rolcreaterole then 'yes' else 'no' end,
                'create db', case when r.rolcreatedb then 'yes' else 'no' end,
                'login', case when r.rolcanlogin then 'yes' else 'no' end,
                'replication', case when r.rolreplication then 'yes' else 'no' end,
                'bypass rls', case when r.rolbypassrls then 'yes' else 'no' end,
                'connection limit', r.rolconnlimit::text,
                'valid until', r.rolvaliduntil::text,
                'config', array_to_string(r.rolconfig, ', '),
                'member of', (select string_agg(g.rolname, ', ' order by g.rolname) from pg_auth_members m join pg_roles g on g.oid = m.roleid
                              where m.member = r.oid))),
              null::text, null::text, null::int, null::text
            from pg_roles r
            where $2::text is not null and left(r.rolname, length($2::text)) = $2::text
            """),
        ];
    }
}

/// <summary>
/// One catalog query, the kinds of object it returns, and the kinds of group its rows belong to (none: printed
/// every time; see <see cref="CatalogStamps"/>).
/// </summary>
internal sealed record CatalogQuery(IReadOnlySet<CatalogObjectKind> Kinds, GroupKinds Groups, string Sql)
{
    public CatalogQuery(CatalogObjectKind[] kinds, GroupKinds groups, string sql)
        : this(kinds.ToHashSet(), groups, sql)
    {
    }
}

/// <summary>The kinds of group (see <see cref="CatalogStamps"/>): a table-like relation with what is on it, or a function.</summary>
[Flags]
internal enum GroupKinds
{
    None = 0,
    Relations = 1,
    Functions = 2,
}
