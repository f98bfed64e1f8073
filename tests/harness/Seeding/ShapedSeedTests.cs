using Tcdb.Harness.Tests.Verification;
using Tcdb.Schema;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Seeding;

/// <summary>
/// Data migrations verified on data: each directory's upgrade fails on rows that do not have the shape its
/// SQL reads, and the generic seed, shaped by that SQL, gives it rows it can migrate.
/// </summary>
[TestFixture]
public sealed class ShapedSeedTests
{
    private const string EntitiesTable = """
        begin
          create type widget_color as enum ('red', 'green', 'blue');
          create table widgets_entities (partition_key text not null, row_key text not null, value jsonb not null, version integer not null, etag uuid not null, constraint widgets_entities_pkey primary key (partition_key, row_key));
          create function entity_buf_decode(value_in jsonb, name_in text) returns text as $$
          begin
            if value_in ->> ('__bufchunks_' || name_in) is null then
              return null;
            end if;
            return convert_from(decode(value_in ->> ('__buf0_' || name_in), 'base64'), 'UTF8');
          end
          $$ language plpgsql immutable;
        end
        """;

    private const string EntitiesDown = "begin\n  drop function entity_buf_decode(jsonb, text);\n  drop table widgets_entities;\n  drop type widget_color;\nend";

    [Test]
    public async Task TypedKeysEnumsBuffersAndANestedArrayMigrateWithRows()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, EntitiesTable, EntitiesDown)
            .ScriptVersion(
                3,
                """
                begin
                  create table widgets (widget_id text not null, color widget_color not null, weight integer not null, born timestamptz not null,
                    payload jsonb not null, part_count integer not null, active boolean not null, constraint widgets_pkey primary key (widget_id));
                  insert into widgets (widget_id, color, weight, born, payload, part_count, active)
                  select
                    widgets_entities.partition_key,
                    (widgets_entities.value ->> 'color')::widget_color,
                    (widgets_entities.value ->> 'weight')::integer,
                    (widgets_entities.value ->> 'born')::timestamptz,
                    entity_buf_decode(widgets_entities.value, 'payload')::jsonb,
                    (select count(*) from jsonb_array_elements(widgets_entities.value -> 'parts') as p where p ->> 'name' is not null),
                    (widgets_entities.value ->> 'active')::boolean
                  from widgets_entities;
                  drop table widgets_entities;
                  grant select, insert, update, delete on widgets to $db_user_prefix$_svc;
                end
                """,
                """
                begin
                  revoke select, insert, update, delete on widgets from $db_user_prefix$_svc;
                  create table widgets_entities (partition_key text not null, row_key text not null, value jsonb not null, version integer not null, etag uuid not null, constraint widgets_entities_pkey primary key (partition_key, row_key));
                  insert into widgets_entities (partition_key, row_key, value, version, etag)
                  select widgets.widget_id, 'widget',
                    jsonb_build_object('color', widgets.color::text, 'weight', widgets.weight, 'born', widgets.born, 'active', widgets.active,
                      'parts', (select coalesce(jsonb_agg(jsonb_build_object('name', 'part')), '[]'::jsonb) from generate_series(1, widgets.part_count)),
                      '__bufchunks_payload', 1, '__buf0_payload', encode(convert_to(widgets.payload::text, 'UTF8'), 'base64')),
                    1, public.gen_random_uuid()
                  from widgets;
                  drop table widgets;
                end
                """)
            .Access(DbDirectoryBuilder.BaseAccess + "\n    widgets: write")
            .Tables(DbDirectoryBuilder.BaseTables + "\nwidgets:\n  widget_id: text not null\n  color: widget_color not null\n  weight: integer not null\n  born: timestamp with time zone not null\n  payload: jsonb not null\n  part_count: integer not null\n  active: boolean not null");
        var report = await VerifyAsync(dir);
        Assert.That(report.Findings.Where(f => f.Kind == VerificationFindingKind.NeedsVersionSeed), Is.Empty, string.Join("\n", report.Findings));
        Assert.That(report.Findings.Where(f => f.IsDefect), Is.Empty, string.Join("\n", report.Findings));
        var rows = report.Versions.Single(v => v.Version == 3).Rows!.Value;
        Assert.That((rows.AtN, rows.AfterDowngrade), Is.EqualTo((rows.BeforeUpgrade, rows.BeforeUpgrade)).And.Not.EqualTo((0L, 0L)), "rows migrated both ways");
    }

    [Test]
    public async Task TextThatTheMigrationSplitsHasTheParts()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  create table queues (queue_id text not null, constraint queues_pkey primary key (queue_id));\n  grant select, insert, update, delete on queues to $db_user_prefix$_svc;\nend", "begin\n  revoke select, insert, update, delete on queues from $db_user_prefix$_svc;\n  drop table queues;\nend")
            .ScriptVersion(
                3,
                """
                begin
                  alter table queues add column provisioner text, add column worker_type text;
                  update queues set provisioner = split_part(queues.queue_id, '/', 1), worker_type = split_part(queues.queue_id, '/', 2);
                  perform 1 from queues where queues.worker_type = '' or queues.provisioner || '/' || queues.worker_type <> queues.queue_id;
                  if found then
                    raise exception 'queue ids must be <provisioner>/<workerType>';
                  end if;
                end
                """,
                "begin\n  alter table queues drop column provisioner, drop column worker_type;\nend")
            .Access(DbDirectoryBuilder.BaseAccess + "\n    queues: write")
            .Tables(DbDirectoryBuilder.BaseTables + "\nqueues:\n  queue_id: text not null\n  provisioner: text\n  worker_type: text");
        var report = await VerifyAsync(dir);
        Assert.That(report.Findings.Where(f => f.Kind == VerificationFindingKind.NeedsVersionSeed), Is.Empty, string.Join("\n", report.Findings));
        Assert.That(report.Versions.Single(v => v.Version == 3).Rows!.Value.AtN, Is.GreaterThan(0));
    }

    [Test]
    public async Task AKeyThatBecomesAPrimaryKeyIsUnique()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  create table errors_entities (partition_key text not null, row_key text not null, value jsonb not null, constraint errors_entities_pkey primary key (partition_key, row_key));\nend", "begin\n  drop table errors_entities;\nend")
            .ScriptVersion(
                3,
                """
                begin
                  create table errors (error_id text not null, pool text not null, constraint errors_pkey primary key (error_id));
                  insert into errors (error_id, pool) select errors_entities.row_key, errors_entities.partition_key from errors_entities;
                  drop table errors_entities;
                  grant select, insert, update, delete on errors to $db_user_prefix$_svc;
                end
                """,
                """
                begin
                  revoke select, insert, update, delete on errors from $db_user_prefix$_svc;
                  create table errors_entities (partition_key text not null, row_key text not null, value jsonb not null, constraint errors_entities_pkey primary key (partition_key, row_key));
                  insert into errors_entities (partition_key, row_key, value) select errors.pool, errors.error_id, '{}'::jsonb from errors;
                  drop table errors;
                end
                """)
            .Access(DbDirectoryBuilder.BaseAccess + "\n    errors: write")
            .Tables(DbDirectoryBuilder.BaseTables + "\nerrors:\n  error_id: text not null\n  pool: text not null");
        var report = await VerifyAsync(dir, rows: 200);
        Assert.That(report.Findings.Where(f => f.Kind == VerificationFindingKind.NeedsVersionSeed), Is.Empty, string.Join("\n", report.Findings));
        Assert.That(report.Versions.Single(v => v.Version == 3).Rows!.Value.AtN, Is.GreaterThan(0));
    }

    [Test]
    public async Task AShapeTheInferenceCannotSatisfyFallsBackAndSaysWhat()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, "begin\n  create table notes_entities (partition_key text not null, value jsonb not null, constraint notes_entities_pkey primary key (partition_key));\n  grant select on notes_entities to $db_user_prefix$_svc;\nend", "begin\n  revoke select on notes_entities from $db_user_prefix$_svc;\n  drop table notes_entities;\nend")
            .ScriptVersion(
                3,
                """
                begin
                  create domain note_code as text check (value ~ '^N-[0-9]{4}$');
                  create table notes (note_id text not null, code note_code not null, constraint notes_pkey primary key (note_id));
                  insert into notes (note_id, code) select notes_entities.partition_key, (notes_entities.value ->> 'code')::note_code from notes_entities;
                  grant select on notes to $db_user_prefix$_svc;
                end
                """,
                "begin\n  revoke select on notes from $db_user_prefix$_svc;\n  drop table notes;\n  drop domain note_code;\nend")
            .Access(DbDirectoryBuilder.BaseAccess + "\n    notes_entities: read\n    notes: read")
            .Tables(DbDirectoryBuilder.BaseTables + "\nnotes_entities:\n  partition_key: text not null\n  value: jsonb not null\nnotes:\n  note_id: text not null\n  code: note_code not null");
        var report = await VerifyAsync(dir);
        var warning = report.Findings.Single(f => f.Kind == VerificationFindingKind.NeedsVersionSeed);
        Assert.That(warning.Version, Is.EqualTo(3));
        Assert.That(warning.Message, Does.Contain("upgrade to 3 fails on generic seed rows but succeeds without them: version 3: migration script line 4: value for domain note_code violates check constraint"));
        Assert.That(warning.Message, Does.Contain("(not inferred: notes_entities.value -> 'code' is cast to note_code, a type not created by any script of the directory)"));
    }

    private static Task<VerificationReport> VerifyAsync(DbDirectoryBuilder dir, int rows = VerifyOptions.DefaultRowsPerTable) =>
        EngineRuns.WithAndWithoutShortcutsAsync(new VerifyOptions { Schema = SchemaLoader.Load(dir.Path), Jobs = 1, CheckPolicy = false, RowsPerTable = rows });
}
