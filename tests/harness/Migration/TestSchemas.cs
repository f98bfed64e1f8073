using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Migration;

/// <summary>Builds <see cref="DbSchema"/> objects in code for migrator and client tests.</summary>
internal static class TestSchemas
{
    public static DbMethod Method(string name, MethodMode mode, string service, string args, string returns, string body, bool deprecated = false) =>
        new(name, $"test method {name}", mode, service, args, returns, body, deprecated);

    public static DbMethod Stub(string name) => new(name, null, null, null, null, null, null, Deprecated: true);

    public static DbVersion Version(int number, string? migration, string? downgrade, params DbMethod[] methods) =>
        new(number, $"version {number}", migration, downgrade, methods);

    public static DbSchema NewSchema(IReadOnlyList<DbVersion> versions, IReadOnlyList<ServiceAccess>? access = null, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? tables = null) =>
        new(versions, access ?? [], tables ?? new Dictionary<string, IReadOnlyDictionary<string, string>>());

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Tables(params (string Table, (string Column, string Type)[] Columns)[] tables) =>
        tables.ToDictionary(t => t.Table, t => (IReadOnlyDictionary<string, string>)t.Columns.ToDictionary(c => c.Column, c => c.Type));

    /// <summary>
    /// The two functions of an online <paramref name="direction"/> (<c>migration</c> or <c>downgrade</c>) of version
    /// <paramref name="version"/> that walks <paramref name="table"/> by its integer key <c>id</c>, after
    /// <paramref name="firstId"/>, one batch of rows at a time: each row is locked, <paramref name="update"/> runs for
    /// it (naming the row's key <c>item.id</c>), and the batch counts every row it visits, written or not. Complete when
    /// the statements <paramref name="completion"/> return true.
    /// </summary>
    public static string OnlineKeyWalk(string direction, int version, string table, string update, string completion, int firstId = int.MinValue) => $$"""
        create function online_{{direction}}_v{{version}}_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
        declare
          item record;
          visited integer := 0;
          last_id integer := coalesce((state_in ->> 'id')::integer, {{firstId}});
        begin
          for item in select {{table}}.id from {{table}} where {{table}}.id > last_id order by {{table}}.id limit batch_size_in for update loop
            {{update}};
            visited := visited + 1;
            last_id := item.id;
          end loop;
          return query select visited, jsonb_build_object('id', last_id);
        end
        $$ language plpgsql;
        create function online_{{direction}}_v{{version}}_is_complete() returns boolean as $$
        begin
          {{completion}}
        end
        $$ language plpgsql;
        """;

    /// <summary>
    /// Three versions over a <c>widgets</c> table used by services <c>svc_a</c> (write) and <c>svc_b</c> (read):
    /// v1 creates it and the basic methods; v2 adds a column, a helper whose text contains <c>$$</c> and
    /// backslashes, redefines <c>get_widgets</c> and adds methods; v3 adds <c>upper_name</c> filled by an
    /// online migration and deprecates <c>count_widgets_old</c>.
    /// </summary>
    public static DbSchema WidgetChain() => NewSchema(WidgetVersions(), WidgetAccess(), WidgetTables());

    public static IReadOnlyList<ServiceAccess> WidgetAccess() =>
    [
        new("svc_a", new Dictionary<string, TableAccess> { ["widgets"] = TableAccess.Write }),
        new("svc_b", new Dictionary<string, TableAccess> { ["widgets"] = TableAccess.Read }),
    ];

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> WidgetTables() => Tables(
        ("widgets", [("name", "text not null"), ("data", "jsonb not null"), ("size", "integer"), ("upper_name", "text")]));

    public static List<DbVersion> WidgetVersions() =>
    [
        Version(
            1,
            """
            begin
              create table widgets (name text not null primary key, data jsonb not null);
              grant select, insert, update, delete on widgets to $db_user_prefix$_svc_a;
              grant select on widgets to $db_user_prefix$_svc_b;
            end
            """,
            """
            begin
              revoke select, insert, update, delete on widgets from $db_user_prefix$_svc_a;
              revoke select on widgets from $db_user_prefix$_svc_b;
              drop table widgets;
            end
            """,
            Method("get_widgets", MethodMode.Read, "svc_a", "", "table (name text)", "begin return query select widgets.name from widgets order by widgets.name; end"),
            Method("create_widget", MethodMode.Write, "svc_a", "name_in text, data_in jsonb", "void", "begin insert into widgets (name, data) values (name_in, data_in); end"),
            Method("bad_read_insert", MethodMode.Read, "svc_a", "name_in text", "void", "begin insert into widgets (name, data) values (name_in, '{}'); end"),
            Method("slow_read", MethodMode.Read, "svc_a", "seconds_in double precision", "void", "begin perform pg_sleep(seconds_in); end"),
            Method("widget_count", MethodMode.Read, "svc_b", "", "integer", "begin return (select count(*) from widgets); end"),
            Method("list_widgets_offset", MethodMode.Read, "svc_a", "page_size_in integer, page_offset_in integer", "table (name text)",
                "begin return query select widgets.name from widgets order by widgets.name limit page_size_in offset page_offset_in; end"),
            Method("list_widgets_after", MethodMode.Read, "svc_a", "page_size_in integer, after_name_in text", "table (name text)",
                "begin return query select widgets.name from widgets where after_name_in is null or widgets.name > after_name_in order by widgets.name limit page_size_in; end")),
        Version(
            2,
            """
            begin
              alter table widgets add column size integer;
              -- a helper quoted with $$, with regex backslashes: '\s+' and '\.'
              create function widget_words(t text) returns text[] as $$ select regexp_split_to_array(t, '\s+') $$ language sql;
            end
            """,
            """
            begin
              drop function widget_words(text);
              alter table widgets drop column size;
            end
            """,
            Method("get_widgets", MethodMode.Read, "svc_a", "", "table (name text)", "begin return query select widgets.name from widgets order by widgets.name desc; end"),
            Method("split_name", MethodMode.Read, "svc_b", "name_in text", "table (part text)", "begin return query select unnest(regexp_split_to_array(name_in, '\\.')); end"),
            Method("count_widgets_old", MethodMode.Read, "svc_b", "", "integer", "begin return 42; end")),
        Version(
            3,
            """
            begin
              alter table widgets add column upper_name text;
              create function online_migration_v3_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
              declare
                item record;
                done integer := 0;
                last_name text := state_in ->> 'after';
              begin
                for item in
                  select widgets.name from widgets
                  where widgets.upper_name is null and (last_name is null or widgets.name > last_name)
                  order by widgets.name limit batch_size_in for update
                loop
                  update widgets set upper_name = upper(item.name) where widgets.name = item.name;
                  done := done + 1;
                  last_name := item.name;
                end loop;
                return query select done, jsonb_build_object('after', last_name);
              end
              $$ language plpgsql;
              create function online_migration_v3_is_complete() returns boolean as $$
              begin
                return not exists (select 1 from widgets where upper_name is null);
              end
              $$ language plpgsql;
            end
            """,
            """
            begin
              alter table widgets drop column upper_name;
            end
            """,
            Stub("count_widgets_old")),
    ];
}
