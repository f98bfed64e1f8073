using Npgsql;
using Tcdb.Harness.Tests.Verification;
using Tcdb.Mutation;
using Tcdb.Schema;
using Tcdb.Testing;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Mutation;

/// <summary>
/// Mutation runs against real PostgreSQL. Version 2 of the directory colours the things (a data migration),
/// grants them to a reader, and defines a counting method; its downgrade undoes each step. With a strong
/// version test every mutant dies; with an empty one the mistakes only a test can see survive, named.
/// </summary>
[TestFixture]
public sealed class MutationEngineTests
{
    private const string Access = """
        auditor:
          tables: {}
        svc:
          tables:
            things: write
        reader:
          tables:
            things: read
        """;

    private const string Migration = """
        begin
          alter table things add column color text;
          update things set color = 'big' where size > 10;
          alter table things alter column size drop default;
          create index things_size_idx on things (size);
          grant select on things to $db_user_prefix$_reader;
        end
        """;

    private const string Downgrade = """
        begin
          revoke select on things from $db_user_prefix$_reader;
          drop index things_size_idx;
          alter table things alter column size set default 0;
          alter table things drop column color;
        end
        """;

    private const string CountMethod = """
        methods:
          count_big_things:
            description: things bigger than a size, coloured big
            mode: read
            serviceName: svc
            args: min_in integer
            returns: integer
            body: |-
              begin
                return (select count(*) from things where things.size > min_in and things.color = 'big');
              end
        """;

    private static DbDirectoryBuilder Directory() =>
        new DbDirectoryBuilder()
            .ScriptVersion(2, Migration, Downgrade, CountMethod)
            .Access(Access)
            .Tables(DbDirectoryBuilder.BaseTables + "\n  color: text");

    /// <summary>
    /// What a strong version 2 test checks: every row coloured right, and the method counts right at its boundary.
    /// (Hooks throw rather than assert: an NUnit assertion would fail this test even when the engine catches it.)
    /// </summary>
    private static readonly VersionHooks StrongTest = new()
    {
        Seed = db => db.ExecuteAsync("insert into things (id, name, size) values (1000001, 'at ten', 10), (1000002, 'at eleven', 11), (1000003, 'at twenty-one', 21)"),
        AssertAfterUpgrade = async db =>
        {
            Expect(await db.ScalarAsync<long>("select count(*) from things where (color is not distinct from 'big') <> (size > 10)"), 0, "things coloured big exactly when size > 10");
            foreach (var min in new[] { 11, 20 })
            {
                Expect(await CountAsync(db, min, recolor: false), await db.ScalarAsync<long>($"select count(*) from things where size > {min}"), $"count_big_things({min})");
            }

            Expect(await CountAsync(db, 10, recolor: true), await db.ScalarAsync<long>("select count(*) from things where size > 10") - 1, "count_big_things(10) with a big thing coloured otherwise");
        },
    };

    [Test]
    public async Task AStrongVersionTestKillsEveryMutant()
    {
        using var dir = Directory();
        var report = await MutateAsync(dir, new Dictionary<int, VersionHooks> { [2] = StrongTest });

        var version = report.Versions.Single();
        Assert.That(version.Mutants.Where(m => m.Status != MutantStatus.Killed).Select(m => m.Mutant.ToString()), Is.Empty);
        Assert.That(version.Mutants, Has.Count.EqualTo(10));
        Assert.That(version.Score, Is.EqualTo(1.0));
        Assert.That(Killers(version), Is.EqualTo(new[]
        {
            "drop-statement update things set color = 'big' where size > 10; => version-test",
            "drop-where-condition where size > 10 => version-test",
            "grant-other-service grant select on things to $db_user_prefix$_reader; => catalog-diff",
            "drop-statement revoke select on things from $db_user_prefix$_reader; => catalog-diff",
            "drop-statement drop index things_size_idx; => fails-to-apply, catalog-diff",
            "drop-statement alter table things alter column size set default 0; => catalog-diff",
            "drop-statement alter table things drop column color; => fails-to-apply, catalog-diff",
            "drop-where-condition things.size > min_in => version-test",
            "drop-where-condition things.color = 'big' => version-test",
            "swap-comparison > => version-test",
        }));
    }

    [Test]
    public async Task AVersionTestThatAssertsNothingLeavesNamedSurvivors()
    {
        using var dir = Directory();
        var report = await MutateAsync(dir, new Dictionary<int, VersionHooks> { [2] = new VersionHooks() });

        var version = report.Versions.Single();
        var survivors = version.Mutants.Where(m => m.Status == MutantStatus.Survived).Select(m => m.Mutant).ToList();
        Assert.That(survivors.Select(m => (Mutant.OperatorId(m.Operator), m.Where, m.Before.Trim(), m.After.Trim())), Is.EqualTo(new[]
        {
            ("drop-statement", "migration script", "update things set color = 'big' where size > 10;", string.Empty),
            ("drop-where-condition", "migration script", "update things set color = 'big' where size > 10;", "update things set color = 'big';"),
            ("drop-where-condition", "method count_big_things", "return (select count(*) from things where things.size > min_in and things.color = 'big');", "return (select count(*) from things where things.color = 'big');"),
            ("drop-where-condition", "method count_big_things", "return (select count(*) from things where things.size > min_in and things.color = 'big');", "return (select count(*) from things where things.size > min_in);"),
            ("swap-comparison", "method count_big_things", "return (select count(*) from things where things.size > min_in and things.color = 'big');", "return (select count(*) from things where things.size >= min_in and things.color = 'big');"),
        }));
        Assert.That(survivors[0].Location, Is.EqualTo(new SourceLocation(Path.Combine(dir.Path, "versions", "0002.yml"), 6, 1)));
        Assert.That(version.Killed, Is.EqualTo(5));
        Assert.That(version.Equivalent, Is.Zero);
        Assert.That(version.Score, Is.EqualTo(0.5));
        Assert.That(MutationReportWriter.Text(report), Does.Contain("survived v0002-01 drop-statement (migration script, ").And.Contain("    -   update things set color = 'big' where size > 10;\n"));
    }

    [Test]
    public async Task EquivalentMutantsAreDiscardedNotCounted()
    {
        // Dropping the column drops its index: the downgrade's drop index (and its if exists) changes nothing.
        // The token column's values are generated anew by every upgrade, which must not hide that.
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2,
                "begin\n  alter table things add column token uuid not null default public.gen_random_uuid();\n  create index things_token_idx on things (token);\nend",
                "begin\n  drop index if exists things_token_idx;\n  alter table things drop column token;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  token: uuid not null");
        var report = await MutateAsync(dir, new Dictionary<int, VersionHooks>());

        var version = report.Versions.Single();
        Assert.That(version.Mutants.Select(m => (Mutant.OperatorId(m.Mutant.Operator), m.Mutant.Before.Trim(), m.Status)), Is.EqualTo(new[]
        {
            ("drop-statement", "drop index if exists things_token_idx;", MutantStatus.Equivalent),
            ("drop-if-exists", "drop index if exists things_token_idx;", MutantStatus.Equivalent),
            ("drop-statement", "alter table things drop column token;", MutantStatus.Killed),
        }));
        Assert.That(version.Score, Is.EqualTo(1.0), "1 killed of 1 counted");
        Assert.That(report.Score, Is.EqualTo(1.0));
        Assert.That(MutationReportWriter.Markdown(report), Does.Contain("## Equivalent mutants").And.Contain("| **total** | 3 | 1 | 0 | 2 | **100.0%** |"));
    }

    [Test]
    public async Task ADefectTheOriginalHasKillsNoMutant()
    {
        // The original downgrade forgets to revoke: a stray grant after every downgrade, mutant or not.
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2,
                "begin\n  alter table things add column color text;\n  grant truncate on things to $db_user_prefix$_svc;\nend",
                "begin\n  alter table things drop column color;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  color: text");
        var report = await MutateAsync(dir, new Dictionary<int, VersionHooks>());

        var version = report.Versions.Single();
        Assert.That(version.OriginalDefects, Has.Some.Contains("+ grant TRUNCATE on table public.things"));
        var only = version.Mutants.Single();
        Assert.That(only.Mutant.Before.Trim(), Is.EqualTo("alter table things drop column color;"));
        Assert.That(only.Status, Is.EqualTo(MutantStatus.Killed));
        Assert.That(only.Kills.Select(k => k.Finding), Has.Some.Contains("+ column public.things.color").And.None.Contains("TRUNCATE"), "the stray grant is the original's");
    }

    private static async Task<MutationReport> MutateAsync(DbDirectoryBuilder dir, IReadOnlyDictionary<int, VersionHooks> hooks)
    {
        var server = await TestServer.GetAsync();
        var engine = new MutationEngine(server, new MutationOptions
        {
            Schema = SchemaLoader.Load(dir.Path),
            FromVersion = 2,
            Jobs = 2,
            Hooks = hooks,
            Progress = line => TestContext.Progress.WriteLine(line),
        });
        return await engine.RunAsync();
    }

    private static IEnumerable<string> Killers(VersionMutationResult version) =>
        version.Mutants.Select(m => $"{Mutant.OperatorId(m.Mutant.Operator)} {Subject(m.Mutant)} => {string.Join(", ", m.Checks.Select(MutationChecks.Id))}");

    private static string Subject(Mutant mutant) => mutant.Summary switch
    {
        var s when s.StartsWith("removes the statement `", StringComparison.Ordinal) => s["removes the statement `".Length..^1],
        var s when s.StartsWith("removes the condition `", StringComparison.Ordinal) => s["removes the condition `".Length..^1],
        var s when s.StartsWith("removes `", StringComparison.Ordinal) => s["removes `".Length..^1],
        var s when s.StartsWith("grants to service", StringComparison.Ordinal) => s[(s.IndexOf('`') + 1)..^1],
        var s => s.Split('`')[1],
    };

    private static void Expect(long actual, long expected, string what)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{what}: expected {expected}, got {actual}");
        }
    }

    /// <summary>count_big_things(min); with <paramref name="recolor"/>, after colouring one big thing otherwise (rolled back).</summary>
    private static async Task<long> CountAsync(VersionContext db, int min, bool recolor)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (recolor)
        {
            await using var update = new NpgsqlCommand("update things set color = 'other' where id = 1000003", connection, transaction);
            await update.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand($"select count_big_things({min})", connection, transaction);
        var count = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await transaction.RollbackAsync();
        return count;
    }
}
