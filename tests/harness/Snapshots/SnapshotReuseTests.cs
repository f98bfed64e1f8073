using Tcdb.Snapshots;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Snapshots;

/// <summary>
/// Snapshots that reuse what earlier ones read (<see cref="CatalogSnapshotCache"/>, <see cref="DataSnapshotCache"/>)
/// must equal snapshots that read everything, whatever changed in between; and they must really reuse what
/// did not change.
/// </summary>
public sealed class SnapshotReuseTests
{
    private const string Schema = """
        create type mood as enum ('sad', 'ok');
        create table widgets (id integer primary key, name text not null, size integer default 0, feeling mood, at timestamp);
        create table gadgets (id integer primary key, widget_id integer references widgets (id));
        create table left_side (id integer primary key, label text);
        create table right_side (id integer primary key, label text);
        create table untouched (id integer primary key, note text);
        create index widgets_name_idx on widgets (name);
        create function widget_size(id_in integer) returns integer language sql stable as 'select widgets.size from widgets where widgets.id = id_in';
        create function widget_name(id_in integer) returns text language sql stable as 'select widgets.name from widgets where widgets.id = id_in';
        create view big_widgets as select widgets.id, widgets.name from widgets where widgets.size > 10;
        create function widgets_feeling(id_in integer, feeling_in mood) returns table (id integer, feeling mood) language plpgsql as 'begin return query select widgets.id, widgets.feeling from widgets where widgets.feeling = feeling_in; end';
        create function widgets_feelings(feelings_in mood[]) returns setof widgets language plpgsql as 'begin return query select * from widgets; end';
        create function widget_or_first(id_in integer default widget_size(1)) returns integer language sql as 'select id_in';
        create function untouched_note(id_in integer) returns text language sql stable as 'select untouched.note from untouched where untouched.id = id_in';
        create function since(at_in timestamptz default now()) returns interval language sql stable as 'select now() - at_in';
        create schema paints;
        create type paints.colour as enum ('red', 'blue');
        create function paint(colour_in paints.colour, widget_in widgets) returns text language sql as 'select colour_in::text';
        create function widget_for(id_in integer, out found_out widgets) language sql as 'select widgets from widgets where widgets.id = id_in';
        create function doc_size(doc_in jsonb) returns integer language sql as 'select 1';
        comment on function widget_size(integer) is 'its size';
        create sequence ticket_seq;
        create table tickets (id integer primary key default nextval('ticket_seq'), widget_id integer references widgets (id), state mood, code text check (length(code) < 10));
        alter sequence ticket_seq owned by tickets.id;
        create index tickets_lower_code_idx on tickets (lower(code)) where code is not null;
        create function tickets_touch() returns trigger language plpgsql as 'begin return new; end';
        create trigger tickets_touched before update of code on tickets for each row execute procedure tickets_touch();
        create view ticket_codes as select tickets.id, tickets.code from tickets;
        create table events (id integer not null, at timestamptz not null) partition by range (at);
        create table events_2020 partition of events for values from ('2020-01-01') to ('2021-01-01');
        alter table tickets enable row level security;
        create policy tickets_open on tickets using (code is not null);
        comment on column tickets.code is 'the code';
        comment on index tickets_lower_code_idx is 'by code';
        insert into widgets (id, name, size, feeling, at) select g, 'w' || g, g, 'ok', timestamp '2020-01-01' + g * interval '1 hour' from generate_series(1, 20) g;
        insert into gadgets select g, g from generate_series(1, 5) g;
        begin;
        insert into left_side select g, 'left' from generate_series(1, 3) g;
        insert into right_side select g, 'right' from generate_series(1, 3) g;
        commit;
        insert into untouched values (1, 'stays');
        """;

    private static IEnumerable<TestCaseData> Changes()
    {
        static TestCaseData Case(string label, string sql) => new TestCaseData(sql).SetName($"A reused snapshot sees {label}");

        yield return Case("an updated row", "update widgets set name = 'renamed' where id = 3");
        yield return Case("a row deleted and another inserted", "delete from widgets where id = 14; insert into widgets (id, name) values (99, 'new')");
        yield return Case("a table truncated and refilled with the same rows", "create temp table keep as select * from gadgets; truncate gadgets; insert into gadgets select * from keep");
        yield return Case("a column renamed", "alter table widgets rename column name to title");
        yield return Case("a column dropped", "alter table widgets drop column size cascade");
        yield return Case("a column dropped and added again with a default", "alter table widgets drop column size cascade; alter table widgets add column size integer not null default 0");
        yield return Case("a column added with a default", "alter table widgets add column color text not null default 'red'");
        yield return Case("a column type changed without a rewrite", "set timezone = 'UTC'; alter table widgets alter column at type timestamptz");
        yield return Case("an enum label renamed", "alter type mood rename value 'ok' to 'fine'");
        yield return Case("two tables swapped by renames", "alter table left_side rename to swap; alter table right_side rename to left_side; alter table swap rename to right_side");
        yield return Case("a table renamed", "alter table gadgets rename to gizmos");
        yield return Case("a function redefined", "create or replace function widget_name(id_in integer) returns text language sql stable as 'select upper(widgets.name) from widgets where widgets.id = id_in'");
        yield return Case("a comment", "comment on table widgets is 'things we make'");
        yield return Case("a function's comment", "comment on function widget_name(integer) is 'its name'");
        yield return Case("an enum a signature names renamed", "alter type mood rename to humour");
        yield return Case("an enum moved to another schema", "create schema elsewhere; alter type mood set schema elsewhere");
        yield return Case("a table a signature and a foreign key name renamed", "alter table widgets rename to things");
        yield return Case("a function a default names renamed", "alter function widget_size(integer) rename to size_of_widget");
        yield return Case("a function made strict", "alter function widget_name(integer) strict");
        yield return Case("a function's setting", "alter function widget_name(integer) set work_mem = '8MB'");
        yield return Case("a function dropped and created again", "drop function widget_name(integer); create function widget_name(id_in integer) returns text language sql stable as 'select widgets.name from widgets where widgets.id = id_in'");
        yield return Case("an index replaced", "drop index widgets_name_idx; create index widgets_name_idx on widgets (lower(name))");
        yield return Case("a view redefined", "create or replace view big_widgets as select widgets.id, widgets.name from widgets where widgets.size > 11");
        yield return Case("a grant", "grant select on widgets to public");
        yield return Case("a function's comment removed", "comment on function widget_size(integer) is null");
        yield return Case("a function's comment changed", "comment on function widget_size(integer) is 'its new size'");
        yield return Case("a column a foreign key points at renamed", "alter table widgets rename column id to widget_id");
        yield return Case("a sequence a default names renamed", "alter sequence ticket_seq rename to ticket_numbers");
        yield return Case("a table with a sequence, a trigger and a policy renamed", "alter table tickets rename to passes");
        yield return Case("a column a view shows renamed", "alter table tickets rename column code to label");
        yield return Case("a column an index and a trigger name renamed", "alter table tickets rename column code to token");
        yield return Case("a trigger's function renamed", "alter function tickets_touch() rename to tickets_touch_up");
        yield return Case("a function a check names made a different function", "alter table tickets drop constraint tickets_code_check; alter table tickets add constraint tickets_code_check check (length(code) < 11)");
        yield return Case("the parent of a partition renamed", "alter table events rename to happenings");
        yield return Case("a partition detached", "alter table events detach partition events_2020");
        yield return Case("a column's comment removed", "comment on column tickets.code is null");
        yield return Case("an index's comment changed", "comment on index tickets_lower_code_idx is 'by lower code'");
        yield return Case("an index's storage option", "alter index tickets_lower_code_idx set (fillfactor = 70)");
        yield return Case("a table clustered on an index", "alter table tickets cluster on tickets_pkey");
        yield return Case("a sequence's increment", "alter sequence ticket_seq increment by 5");
        yield return Case("a sequence no longer owned", "alter sequence ticket_seq owned by none");
        yield return Case("row security disabled", "alter table tickets disable row level security");
        yield return Case("a default dropped", "alter table tickets alter column id drop default");
        yield return Case("a column grant", "grant select (code) on tickets to public");
        yield return Case("a type a column names renamed", "alter type mood rename to humour");
        yield return Case("a column's type's schema renamed", "alter table tickets add column colour paints.colour; alter schema paints rename to dyes");
        yield return Case("a function's execute revoked from PUBLIC", "revoke execute on function widget_name(integer) from public");
        yield return Case("the schema of a type a signature names renamed", "alter schema paints rename to dyes");
        yield return Case("a type a signature names moved to another schema", "alter type paints.colour set schema public");
        yield return Case("a function moved out of the recorded schema", "alter function widget_name(integer) set schema paints");
        yield return Case("a function moved into the recorded schema", "create function paints.mix() returns integer language sql as 'select 1'; alter function paints.mix() set schema public");
        yield return Case("a function's argument renamed by replacing it", "drop function paint(paints.colour, widgets); create function paint(hue_in paints.colour, widget_in widgets) returns text language sql as 'select hue_in::text'");
        yield return Case("a built-in function a default names renamed", "alter function pg_catalog.now() rename to right_now");
        yield return Case("a built-in type a signature names renamed", "alter type pg_catalog.jsonb rename to document");
    }

    [TestCaseSource(nameof(Changes))]
    public async Task ReusedSnapshotsEqualFreshOnes(string change)
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Schema);
        var catalogs = new CatalogSnapshotCache();
        var tables = new DataSnapshotCache();
        var catalogBefore = await CatalogSnapshot.TakeAsync(db.Connection, new CatalogSnapshotOptions { Reuse = catalogs });
        var dataBefore = await DataSnapshot.TakeAsync(db.Connection, new DataSnapshotOptions { Reuse = tables });

        await db.ExecuteAsync(change);

        var catalogReused = await CatalogSnapshot.TakeAsync(db.Connection, new CatalogSnapshotOptions { Reuse = catalogs });
        var catalogFresh = await CatalogSnapshot.TakeAsync(db.Connection);
        Assert.That(catalogReused.ToJson(), Is.EqualTo(catalogFresh.ToJson()));
        Assert.That(catalogReused.Find(CatalogObjectKind.Column, "public.untouched.note"), Is.SameAs(catalogBefore.Find(CatalogObjectKind.Column, "public.untouched.note")), "an unchanged object is reused");
        if (!change.Contains("pg_catalog", StringComparison.Ordinal))
        {
            // A change of a built-in object changes every function's stamp; any other leaves this function's alone.
            Assert.That(catalogReused.Find(CatalogObjectKind.Function, "public.untouched_note(id_in integer)"), Is.SameAs(catalogBefore.Find(CatalogObjectKind.Function, "public.untouched_note(id_in integer)")), "an unchanged function is not printed again");
        }


        var dataReused = await DataSnapshot.TakeAsync(db.Connection, new DataSnapshotOptions { Reuse = tables });
        var dataFresh = await DataSnapshot.TakeAsync(db.Connection);
        Assert.That(dataReused.ToJson(), Is.EqualTo(dataFresh.ToJson()));
        Assert.That(DataDiff.Compare(dataFresh, dataReused), Is.Empty);
        Assert.That(DataDiff.Compare(dataReused, dataFresh), Is.Empty);
        Assert.That(dataReused.Find("public.untouched"), Is.SameAs(dataBefore.Find("public.untouched")), "an unchanged table is reused");
    }

    // Each case: what the role {0} gets first, then the changes a reused snapshot must see, one after another.
    [TestCase("", "alter function widget_name(integer) owner to {0}", "alter role {0} rename to {0}_renamed", "alter role {0}_renamed rename to {0}", TestName = "A reused snapshot sees a function's new owner and its rename")]
    [TestCase("create policy tickets_audit on tickets for select to {0} using (true); grant select on tickets to {0}", "alter role {0} rename to {0}_renamed", "alter role {0}_renamed rename to {0}", "alter table tickets owner to {0}", TestName = "A reused snapshot sees a policy's and a grant's role renamed")]
    [TestCase("grant execute on function widget_name(integer) to {0}", "alter role {0} rename to {0}_renamed", "alter role {0}_renamed rename to {0}", "revoke execute on function widget_name(integer) from {0}", TestName = "A reused snapshot sees a function's grantee renamed")]
    public async Task AReusedSnapshotSeesWhatHappensToARole(string setup, string first, string second, string third)
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Schema);
        var role = await db.CreateRoleAsync("someone");
        if (setup.Length > 0)
        {
            await db.ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, setup, role));
        }

        var options = new CatalogSnapshotOptions { Reuse = new CatalogSnapshotCache(), RolePrefix = db.RolePrefix };
        await CatalogSnapshot.TakeAsync(db.Connection, options);
        foreach (var change in new[] { first, second, third }.Select(c => string.Format(System.Globalization.CultureInfo.InvariantCulture, c, role)))
        {
            await db.ExecuteAsync(change);
            var reused = await CatalogSnapshot.TakeAsync(db.Connection, options);
            var fresh = await CatalogSnapshot.TakeAsync(db.Connection, options with { Reuse = null });
            Assert.That(reused.ToJson(), Is.EqualTo(fresh.ToJson()), change);
        }
    }

    [Test]
    public async Task AFunctionWrittenAgainAsItWasIsNotPrintedAgainButALookAlikeIs()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Schema);
        var catalogs = new CatalogSnapshotCache();

        // A function with a dependency (on type mood), so that its catalog rows name it by oid.
        var original = "create or replace function mood_name(mood_in mood) returns text language sql stable as 'select mood_in::text'";
        await db.ExecuteAsync(original);
        await TakeEqualToFreshAsync(db, catalogs);

        // Redefined, then written back as it was (as a downgrade does): the second is the first snapshot's function.
        await db.ExecuteAsync(original.Replace("mood_in::text", "upper(mood_in::text)", StringComparison.Ordinal));
        await TakeEqualToFreshAsync(db, catalogs);
        var printed = catalogs.PrintedGroups;
        await db.ExecuteAsync(original);
        await TakeEqualToFreshAsync(db, catalogs);
        Assert.That(catalogs.PrintedGroups, Is.EqualTo(printed), "a function written back as it was is taken from the cache");

        // Dropped and created again as it was (as a re-upgrade does): another oid, the same function.
        await db.ExecuteAsync("drop function mood_name(mood); " + original);
        await TakeEqualToFreshAsync(db, catalogs);
        Assert.That(catalogs.PrintedGroups, Is.EqualTo(printed), "a function created again as it was is taken from the cache");

        // Look-alikes: the same body with another volatility, another argument name, a comment, a grant.
        foreach (var lookAlike in new[]
                 {
                     original.Replace(" stable ", " volatile ", StringComparison.Ordinal),
                     "drop function mood_name(mood); " + original.Replace("mood_in", "key_in", StringComparison.Ordinal),
                     "comment on function mood_name(mood) is 'a name'",
                     "grant execute on function mood_name(mood) to public",
                 })
        {
            await db.ExecuteAsync(lookAlike);
            printed = catalogs.PrintedGroups;
            await TakeEqualToFreshAsync(db, catalogs);
            Assert.That(catalogs.PrintedGroups, Is.GreaterThan(printed), lookAlike);
            await db.ExecuteAsync("drop function mood_name(mood); " + original);
        }
    }

    private static async Task TakeEqualToFreshAsync(ScratchDatabase db, CatalogSnapshotCache catalogs)
    {
        var reused = await CatalogSnapshot.TakeAsync(db.Connection, new CatalogSnapshotOptions { Reuse = catalogs });
        Assert.That(reused.ToJson(), Is.EqualTo((await CatalogSnapshot.TakeAsync(db.Connection)).ToJson()));
    }

    [Test]
    public async Task AReusedSnapshotSeesTwoRecordedSchemasSwapNames()
    {
        // A schema's rename writes only its pg_namespace row: no row of a table or function in it changes.
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("""
            create schema east; create schema west; create schema north;
            create table east.shop (id integer primary key, name text); create index shop_name_idx on east.shop (name);
            create function east.shops() returns bigint language sql as 'select count(*) from east.shop';
            create table west.depot (id integer primary key);
            """);
        var options = new CatalogSnapshotOptions { Schemas = ["east", "west"], Reuse = new CatalogSnapshotCache() };
        var before = await CatalogSnapshot.TakeAsync(db.Connection, options);
        await db.ExecuteAsync("alter schema north rename to south");
        var unrelated = await CatalogSnapshot.TakeAsync(db.Connection, options);
        Assert.That(unrelated.ToJson(), Is.EqualTo(before.ToJson()), "the look-alike: renaming a schema that is not recorded changes nothing");
        Assert.That(unrelated.Find(CatalogObjectKind.Table, "east.shop"), Is.SameAs(before.Find(CatalogObjectKind.Table, "east.shop")));

        await db.ExecuteAsync("alter schema east rename to swap; alter schema west rename to east; alter schema swap rename to west");
        var reused = await CatalogSnapshot.TakeAsync(db.Connection, options);
        var fresh = await CatalogSnapshot.TakeAsync(db.Connection, options with { Reuse = null });
        Assert.That(reused.ToJson(), Is.EqualTo(fresh.ToJson()));
        Assert.That(fresh.Find(CatalogObjectKind.Table, "west.shop"), Is.Not.Null);
        Assert.That(fresh.Find(CatalogObjectKind.Index, "west.shop_name_idx"), Is.Not.Null);
        Assert.That(fresh.Find(CatalogObjectKind.Function, "west.shops()"), Is.Not.Null);
    }

    [Test]
    public async Task AReusedSnapshotOfACloneSeesTheClonesOwnVersionOfAFunction()
    {
        // Both databases start with the same row of the function; each then replaces it in a transaction of its own.
        var server = await TestServer.GetAsync();
        await using var original = await server.CreateDatabaseAsync();
        await original.ExecuteAsync("create function answer() returns integer language sql as 'select 1'");
        await using var clone = await original.CloneAsync();
        var catalogs = new CatalogSnapshotCache();
        var shared = await TakeCatalogAsync(clone, catalogs);
        await original.ExecuteAsync("create or replace function answer() returns integer language sql as 'select 2'");
        await clone.ExecuteAsync("create or replace function answer() returns integer language sql as 'select 3'");
        var fromOriginal = await TakeCatalogAsync(original, catalogs);
        var reused = await TakeCatalogAsync(clone, catalogs);
        var fresh = await TakeCatalogAsync(clone, null);
        Assert.That(reused.ToJson(), Is.EqualTo(fresh.ToJson()));
        Assert.That(fromOriginal.Find(CatalogObjectKind.Function, "public.answer()")!.Properties["body"], Is.EqualTo("select 2"), "the look-alike: the two databases differ");
        Assert.That(reused.Find(CatalogObjectKind.Function, "public.answer()")!.Properties["body"], Is.EqualTo("select 3"));
        Assert.That(shared.Find(CatalogObjectKind.Function, "public.answer()")!.Properties["body"], Is.EqualTo("select 1"));
    }

    [Test]
    public async Task AChangeIsSeenByTheFreshSnapshotToo()
    {
        // The look-alike: the comparison above is meaningful only if a change shows between before and after.
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Schema);
        var tables = new DataSnapshotCache();
        var before = await DataSnapshot.TakeAsync(db.Connection, new DataSnapshotOptions { Reuse = tables });
        await db.ExecuteAsync("alter type mood rename value 'ok' to 'fine'");
        var after = await DataSnapshot.TakeAsync(db.Connection, new DataSnapshotOptions { Reuse = tables });
        Assert.That(DataDiff.Compare(before, after, new DataDiffOptions { MaxRowsPerTable = int.MaxValue }).Select(d => d.Kind).Distinct(), Is.EqualTo(new[] { DataDifferenceKind.RowChanged }));
        Assert.That(after.Find("public.widgets"), Is.Not.SameAs(before.Find("public.widgets")));
    }

    [Test]
    public async Task AReusedSnapshotOfACloneSeesWhatTheCloneDeleted()
    {
        // A clone shares the original's table oids and row versions: deleting one row in each leaves both with the
        // same row count and the same writing transactions, but not the same rows. Without the database in the
        // signature, the clone's snapshot would take the original's rows.
        var server = await TestServer.GetAsync();
        await using var original = await server.CreateDatabaseAsync();
        await original.ExecuteAsync("create table widgets (id integer primary key, name text not null); insert into widgets select g, 'w' || g from generate_series(1, 10) g");
        await using var clone = await original.CloneAsync();
        await original.ExecuteAsync("delete from widgets where id = 5");
        await clone.ExecuteAsync("delete from widgets where id = 6");
        var tables = new DataSnapshotCache();
        var fromOriginal = await TakeAsync(original, tables);
        var reused = await TakeAsync(clone, tables);
        var fresh = await TakeAsync(clone, null);
        Assert.That(DataDiff.Compare(fresh, reused), Is.Empty);
        Assert.That(reused.Find("public.widgets"), Is.Not.SameAs(fromOriginal.Find("public.widgets")));
        Assert.That(DataDiff.Compare(fromOriginal, fresh).Select(d => d.Kind), Is.EquivalentTo(new[] { DataDifferenceKind.RowAdded, DataDifferenceKind.RowLost }), "the look-alike: the two databases differ");
    }

    private static async Task<CatalogSnapshot> TakeCatalogAsync(Tcdb.Servers.ServerDatabase database, CatalogSnapshotCache? catalogs)
    {
        await using var connection = await database.OpenAsync();
        return await CatalogSnapshot.TakeAsync(connection, new CatalogSnapshotOptions { Reuse = catalogs });
    }

    private static async Task<DataSnapshot> TakeAsync(Tcdb.Servers.ServerDatabase database, DataSnapshotCache? tables)
    {
        await using var connection = await database.OpenAsync();
        return await DataSnapshot.TakeAsync(connection, new DataSnapshotOptions { Reuse = tables });
    }
}
