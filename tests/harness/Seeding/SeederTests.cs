using Npgsql;
using Tcdb.Harness.Tests.Snapshots;
using Tcdb.Seeding;
using Tcdb.Snapshots;

namespace Tcdb.Harness.Tests.Seeding;

public sealed class SeederTests
{
    /// <summary>Two tables that reference each other through non-null keys: no row of either can be inserted first.</summary>
    internal const string ChickenAndEgg = """
        create table eggs (id integer primary key, chicken_id integer not null);
        create table chickens (id integer primary key, egg_id integer not null references eggs (id));
        alter table eggs add foreign key (chicken_id) references chickens (id);

        """;

    private const string EveryType = """
        create type color as enum ('red', 'green', 'blue');
        create domain short_code as varchar(8) not null;
        create table everything (
          id bigserial primary key,
          t text not null, v varchar(5), c char(3), i integer not null, s smallint, b bigint, n numeric(6, 2), f float8,
          flag boolean not null, u uuid not null unique, raw bytea, doc jsonb not null, j json, at timestamptz not null, local timestamp,
          day date, clock time, span interval, hue color not null, hues color[], tags text[] not null, numbers integer[], code short_code,
          created timestamptz not null default now()
        );
        """;

    [Test]
    public async Task FillsEverySupportedType()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(EveryType);

        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 300 });

        Assert.That(report.Unfilled, Is.Empty);
        Assert.That(report.RowsInserted["public.everything"], Is.EqualTo(300));
        Assert.That(await db.ScalarAsync<long>("select count(*) from everything"), Is.EqualTo(300));
        Assert.That(await db.ScalarAsync<long>("select count(distinct hue) from everything"), Is.EqualTo(3));
        Assert.That(await db.ScalarAsync<long>("select count(*) from everything where doc ? 'deep' and jsonb_typeof(doc -> 'deep') = 'array'"), Is.GreaterThan(0), "deep jsonb");
        Assert.That(await db.ScalarAsync<long>("select count(*) from everything where jsonb_typeof(doc) <> 'object'"), Is.Zero, "Taskcluster keeps objects at the top of jsonb");
        Assert.That(await db.ScalarAsync<long>("select count(*) from everything where position('\\x5c'::bytea in raw) > 0"), Is.GreaterThan(0), "backslash bytes");
        Assert.That(await db.ScalarAsync<int>("select max(length(v)) from everything"), Is.LessThanOrEqualTo(5));
    }

    [Test]
    public async Task HostileValuesRoundTripByteForByte()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("create table notes (id serial primary key, body text not null, doc jsonb)");

        await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 50 });

        var stored = new List<byte[]>();
        await using (var command = new NpgsqlCommand("select convert_to(body, 'UTF8') from notes order by id", db.Connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetFieldValue<byte[]>(0));
            }
        }

        var expected = HostileValues.Text.Select(System.Text.Encoding.UTF8.GetBytes).ToList();
        Assert.That(stored.Take(expected.Count), Is.EqualTo(expected));
        Assert.That(HostileValues.Text, Has.Member(@"C:\temp\new\table").And.Member("$$").And.Member("𝄞 G clef and 𐍈 hwair").And.Member(string.Empty));
    }

    [Test]
    public async Task ForeignKeyChainAndSelfReferenceAreFilledInDependencyOrder()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("""
            create table c_child (id serial primary key, parent_id integer not null references b_parent (id));
            """.Replace("create table c_child", """
            create table a_root (id uuid primary key, name text not null unique);
            create table b_parent (id integer primary key, root_id uuid not null references a_root (id), manager_id integer references b_parent (id));
            create table c_child
            """));
        await db.ExecuteAsync("create table d_link (parent_id integer references b_parent (id), child_id integer references c_child (id), primary key (parent_id, child_id))");

        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 40 });

        Assert.That(report.Unfilled, Is.Empty, string.Join("\n", report.Unfilled));
        Assert.That(report.RowsInserted, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["public.a_root"] = 40,
            ["public.b_parent"] = 40,
            ["public.c_child"] = 40,
            ["public.d_link"] = 40,
        }));
        Assert.That(await db.ScalarAsync<long>("select count(*) from b_parent where manager_id is not null"), Is.GreaterThan(0), "self-reference linked");
    }

    [Test]
    public async Task CycleThroughNullableForeignKeyIsFilledAndLinked()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("""
            create table teams (id integer primary key, lead_id integer);
            create table people (id integer primary key, team_id integer not null references teams (id));
            alter table teams add constraint teams_lead_fk foreign key (lead_id) references people (id);
            """);

        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 30 });

        Assert.That(report.Unfilled, Is.Empty, string.Join("\n", report.Unfilled));
        Assert.That(await db.ScalarAsync<long>("select count(*) from teams where lead_id is not null"), Is.EqualTo(30));
    }

    [Test]
    public async Task CycleWithoutNullableForeignKeyIsReported()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(ChickenAndEgg + "create table bystanders (id integer primary key);");

        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 10 });

        Assert.That(report.Unfilled.Select(u => u.ToString()), Is.EqualTo(new[]
        {
            "public.chickens: 0 of 10 rows: foreign-key cycle among public.chickens, public.eggs has no foreign key with only nullable columns",
            "public.eggs: 0 of 10 rows: foreign-key cycle among public.chickens, public.eggs has no foreign key with only nullable columns",
        }));
        Assert.That(report.RowsInserted["public.bystanders"], Is.EqualTo(10));
    }

    [Test]
    public async Task ATableThatCannotBeFilledIsNotReportedWhenNoRowsAreWantedOfIt()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync(ChickenAndEgg);

        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions
        {
            RowsPerTable = 10,
            Tables = new Dictionary<string, TableSeedRule> { ["public.chickens"] = new() { Rows = 0 } },
        });

        Assert.That(report.Unfilled.Select(u => u.ToString()), Is.EqualTo(new[]
        {
            "public.eggs: 0 of 10 rows: foreign-key cycle among public.chickens, public.eggs has no foreign key with only nullable columns",
        }));
    }

    [Test]
    public async Task RowsViolatingACheckAreRegeneratedAndAnImpossibleCheckIsReported()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("""
            create table loose (id integer primary key, size integer not null check (size >= 0));
            create table tight (id integer primary key, size integer not null constraint tight_size_check check (size between 0 and 10));
            """);

        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 100 });

        Assert.That(report.RowsInserted["public.loose"], Is.EqualTo(100));
        Assert.That(await db.ScalarAsync<long>("select count(*) from loose"), Is.EqualTo(100));
        Assert.That(report.Unfilled, Has.Count.EqualTo(1));
        Assert.That(report.Unfilled[0].Table, Is.EqualTo("public.tight"));
        Assert.That(report.Unfilled[0].Reason, Does.StartWith("check constraint tight_size_check rejected "));
    }

    [Test]
    public async Task KeyThatCannotBeUniqueFallsBackToStagingAndReportsConflicts()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("create table switches (id integer primary key, state boolean not null unique)");

        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 10 });

        Assert.That(report.RowsInserted["public.switches"], Is.EqualTo(2));
        Assert.That(report.Unfilled.Select(u => u.ToString()).Single(), Does.StartWith("public.switches: 2 of 10 rows: ").And.Contains("conflicted with a unique or exclusion constraint"));
    }

    [Test]
    public async Task ColumnRuleOverridesTheGenerator()
    {
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("create table tight (id integer primary key, size integer not null check (size between 0 and 10), name text)");
        var options = new SeedOptions
        {
            RowsPerTable = 20,
            Tables = new Dictionary<string, TableSeedRule>
            {
                ["public.tight"] = new() { Rows = 25, Columns = new Dictionary<string, Func<Bogus.Faker, object?>> { ["size"] = f => f.Random.Number(0, 10), ["name"] = f => f.Name.FirstName() } },
            },
        };

        var report = await Seeder.SeedAsync(db.Connection, options);

        Assert.That(report.Unfilled, Is.Empty);
        Assert.That(await db.ScalarAsync<long>("select count(*) from tight where name ~ '^[A-Z][a-z]+$'"), Is.EqualTo(25));
    }

    [Test]
    public async Task SameSeedSameDataDifferentSeedDifferentData()
    {
        var digests = new List<string>();
        foreach (var seed in new[] { 7, 7, 8 })
        {
            await using var db = await ScratchDatabase.CreateAsync();
            await db.ExecuteAsync(EveryType.Replace("created timestamptz not null default now()", "created timestamptz"));
            await db.ExecuteAsync("create table kids (id serial primary key, parent_id bigint references everything (id), self_id integer references kids (id))");
            await Seeder.SeedAsync(db.Connection, new SeedOptions { Seed = seed, RowsPerTable = 80 });
            digests.Add((await DataSnapshot.TakeAsync(db.Connection)).ToJson());
        }

        Assert.That(digests[1], Is.EqualTo(digests[0]));
        Assert.That(digests[2], Is.Not.EqualTo(digests[0]));
    }

    [Test]
    public async Task TypesMadeBetweenTwoSeedsOfOneDataSourceAreWritten()
    {
        // The first seed loads the data source's types; the types made after it are new to that data source.
        await using var db = await ScratchDatabase.CreateAsync();
        await db.ExecuteAsync("create table plain (id integer primary key, note text not null)");
        await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 10 });

        await db.ExecuteAsync("""
            create type mood as enum ('calm', 'tense');
            create domain code as varchar(4);
            create table moods (id integer primary key, mood mood not null, moods mood[] not null, code code not null)
            """);
        var report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 10 });
        Assert.That(report.Unfilled, Is.Empty);
        Assert.That(await db.ScalarAsync<long>("select count(*) from moods"), Is.EqualTo(10));

        // The same names made again are other types (new oids, other labels, another base type).
        await db.ExecuteAsync("""
            drop table moods; drop type mood; drop domain code;
            create type mood as enum ('glad', 'sad', 'bored');
            create domain code as integer;
            create table moods (id integer primary key, mood mood not null, moods mood[] not null, code code not null)
            """);
        report = await Seeder.SeedAsync(db.Connection, new SeedOptions { RowsPerTable = 10 });
        Assert.That(report.Unfilled, Is.Empty);
        Assert.That(await db.ScalarAsync<long>("select count(*) from moods where mood in ('glad', 'sad', 'bored') and 'sad' = any(moods::text[]) is not null and code is not null"), Is.EqualTo(10));
    }
}
