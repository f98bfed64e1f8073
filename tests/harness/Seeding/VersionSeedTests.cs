using Tcdb.Harness.Tests.Snapshots;
using Tcdb.Harness.Tests.Verification;
using Tcdb.Schema;
using Tcdb.Seeding;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Seeding;

/// <summary>
/// The generic rows a version gets at N-1: empty tables are filled, tables holding rows are left alone, and when
/// every table holds rows nothing is inserted or reported, whatever the seeder could or could not have filled.
/// </summary>
[TestFixture]
public sealed class VersionSeedTests
{
    // Two tables that reference each other through non-null keys: the seeder cannot fill them, but a migration can.
    private const string Cycle = """
        create table eggs (id integer primary key, chicken_id integer not null);
        create table chickens (id integer primary key, egg_id integer not null references eggs (id) deferrable initially deferred);
        alter table eggs add foreign key (chicken_id) references chickens (id) deferrable initially deferred;
        begin;
        insert into eggs values (1, 1);
        insert into chickens values (1, 1);
        commit;
        """;

    [Test]
    public async Task WhenEveryTableHoldsRowsNothingIsInsertedOrReported()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Cycle + "create table things (id integer primary key); insert into things values (1);");

        var report = await SeedAsync(db, new VersionHooks());

        Assert.That(report.Unfilled, Is.Empty, string.Join("\n", report.Unfilled));
        Assert.That(report.RowsInserted, Is.EquivalentTo(new Dictionary<string, int> { ["public.chickens"] = 0, ["public.eggs"] = 0, ["public.things"] = 0 }));
        Assert.That(await db.ScalarAsync<long>("select (select count(*) from things) + (select count(*) from eggs) + (select count(*) from chickens)"), Is.EqualTo(3));
    }

    [Test]
    public async Task AnEmptyTableIsFilledAndTheOnesHoldingRowsAreLeftAlone()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(Cycle + "create table things (id integer primary key);");

        var report = await SeedAsync(db, new VersionHooks());

        Assert.That(report.Unfilled, Is.Empty, string.Join("\n", report.Unfilled));
        Assert.That(report.RowsInserted["public.things"], Is.EqualTo(7));
        Assert.That(report.RowsInserted["public.eggs"], Is.Zero);
        Assert.That(await db.ScalarAsync<long>("select count(*) from things"), Is.EqualTo(7));
        Assert.That(await db.ScalarAsync<long>("select count(*) from eggs"), Is.EqualTo(1));
    }

    [Test]
    public async Task AnEmptyTableTheSeederCannotFillIsStillReported()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(SeederTests.ChickenAndEgg);

        var report = await SeedAsync(db, new VersionHooks());

        Assert.That(report.Unfilled.Select(u => u.Table), Is.EqualTo(new[] { "public.chickens", "public.eggs" }));
    }

    [Test]
    public async Task ATestsRuleAskingRowsOfATableHoldingRowsIsFollowed()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("create table things (id integer primary key); insert into things values (-1);");

        var report = await SeedAsync(db, new VersionHooks { SeedRules = new Dictionary<string, TableSeedRule> { ["public.things"] = new() { Rows = 3 } } });

        Assert.That(report.RowsInserted["public.things"], Is.EqualTo(3));
        Assert.That(await db.ScalarAsync<long>("select count(*) from things"), Is.EqualTo(4));
    }

    private static Task<SeedReport> SeedAsync(ScratchDatabase db, VersionHooks hooks)
    {
        using var dir = new DbDirectoryBuilder();
        var options = new VerifyOptions { Schema = SchemaLoader.Load(dir.Path), RowsPerTable = 7, Hooks = new Dictionary<int, VersionHooks> { [2] = hooks } };
        return VersionSeed.SeedAsync(new VerificationRun(options, db.RolePrefix), 2, db.Database.ConnectionString, CancellationToken.None);
    }
}
