using Tcdb.Snapshots;

namespace Tcdb.Harness.Tests.Snapshots;

public sealed class DataSnapshotTests
{
    private const string Widgets = """
        create table widgets (id integer primary key, name text, etag uuid not null default '00000000-0000-0000-0000-000000000000');
        insert into widgets (id, name) values (1, 'a'), (2, 'b\c'), (3, null);
        """;

    [Test]
    public async Task LostRowIsReportedWithItsValues()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Widgets);
        var before = await DataSnapshot.TakeAsync(db.Connection);

        await db.ExecuteAsync("delete from widgets where id = 2");

        var diff = DataDiff.Compare(before, await DataSnapshot.TakeAsync(db.Connection));
        Assert.That(diff.Select(d => d.ToString()), Is.EqualTo(new[]
        {
            @"- row public.widgets (id)=(2): etag='00000000-0000-0000-0000-000000000000', id='2', name='b\c'",
        }));
    }

    [Test]
    public async Task ChangedColumnNamesOldAndNewValues()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Widgets);
        var before = await DataSnapshot.TakeAsync(db.Connection);

        await db.ExecuteAsync("update widgets set name = 'z' where id = 1; update widgets set name = repeat('x', 100) where id = 3");

        var diff = DataDiff.Compare(before, await DataSnapshot.TakeAsync(db.Connection));
        Assert.That(diff.Select(d => d.ToString()), Is.EqualTo(new[]
        {
            "~ row public.widgets (id)=(1): name 'a' -> 'z'",
            $"~ row public.widgets (id)=(3): name null -> '{new string('x', 40)}...'",
        }));
        Assert.That(diff[0].Changes, Is.EqualTo(new[] { new ColumnChange("name", "a", "z") }));
    }

    [Test]
    public async Task IgnoredColumnIsNotADifference()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Widgets);
        var before = await DataSnapshot.TakeAsync(db.Connection);

        await db.ExecuteAsync("update widgets set etag = '11111111-1111-1111-1111-111111111111'");
        var after = await DataSnapshot.TakeAsync(db.Connection);

        var ignored = new Dictionary<string, IReadOnlyCollection<string>> { ["public.widgets"] = ["etag"] };
        Assert.That(DataDiff.Compare(before, after, ignored), Is.Empty);
        Assert.That(DataDiff.Compare(before, after).Select(d => d.ToString()).ToList(), Has.Count.EqualTo(3)
            .And.All.Contains("etag '00000000-0000-0000-0000-000000000000' -> '11111111-1111-1111-1111-111111111111'"));
    }

    [Test]
    public async Task TableWithoutPrimaryKeyIsKeyedByContent()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("create table log (message text, at integer); insert into log values ('x', 1), ('x', 1), ('y', 2)");
        var before = await DataSnapshot.TakeAsync(db.Connection);

        await db.ExecuteAsync("delete from log where ctid = (select min(ctid) from log where message = 'x')");

        var diff = DataDiff.Compare(before, await DataSnapshot.TakeAsync(db.Connection));
        Assert.That(diff.Select(d => d.ToString()), Is.EqualTo(new[] { "- row public.log (no primary key): at='1', message='x'" }));
    }

    [Test]
    public async Task ColumnReAddedAtTheEndWithSameValuesIsNoDifference()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Widgets);
        var before = await DataSnapshot.TakeAsync(db.Connection);

        await db.ExecuteAsync("alter table widgets add column name2 text; update widgets set name2 = name; alter table widgets drop column name; alter table widgets rename column name2 to name");

        Assert.That(DataDiff.Compare(before, await DataSnapshot.TakeAsync(db.Connection)), Is.Empty);
    }

    [Test]
    public async Task TableOfHundredThousandRowsReportsOnlyTheRowsThatDiffer()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("""
            create table events (id bigint primary key, kind text not null, payload jsonb, at timestamptz not null);
            insert into events select g, 'kind' || (g % 7), jsonb_build_object('n', g, 's', repeat('p', g % 50)), timestamptz '2020-01-01' + g * interval '1 second'
            from generate_series(1, 100000) g;
            """);
        var before = await DataSnapshot.TakeAsync(db.Connection);
        Assert.That(before.Find("public.events")!.RowCount, Is.EqualTo(100_000));

        await db.ExecuteAsync("delete from events where id = 500; update events set kind = 'other' where id = 99999; insert into events values (100001, 'new', null, now())");
        var after = await DataSnapshot.TakeAsync(db.Connection);

        var lines = DataDiff.Compare(before, after).Select(d => d.ToString()).ToList();
        Assert.That(lines, Has.Count.EqualTo(3));
        Assert.That(lines[0], Does.StartWith("- row public.events (id)=(500): at='2020-01-01 00:08:20+00', id='500', kind='kind3'"));
        Assert.That(lines[1], Does.StartWith("+ row public.events (id)=(100001): "));
        Assert.That(lines[2], Is.EqualTo("~ row public.events (id)=(99999): kind 'kind4' -> 'other'"));
    }

    [Test]
    public async Task ManyLostRowsAreSummarized()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("create table t (id integer primary key); insert into t select generate_series(1, 25)");
        var before = await DataSnapshot.TakeAsync(db.Connection);
        await db.ExecuteAsync("delete from t");

        var diff = DataDiff.Compare(before, await DataSnapshot.TakeAsync(db.Connection), new DataDiffOptions { MaxRowsPerTable = 3 });

        Assert.That(diff.Select(d => d.ToString()), Is.EqualTo(new[]
        {
            "- row public.t (id)=(1): id='1'",
            "- row public.t (id)=(10): id='10'",
            "- row public.t (id)=(11): id='11'",
            "... public.t: 22 more rows lost",
        }));
    }
}
