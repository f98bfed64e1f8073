using Tcdb.Mutation;
using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Mutation;

/// <summary>
/// Each operator of the generator fed SQL where it applies (the mutant and its exact edit) and a look-alike where
/// it must not (comments, string literals with backslashes, dollar-quoted text, other statements).
/// </summary>
[TestFixture]
public sealed class MutantGeneratorTests
{
    private static readonly string[] TwoServices = ["svc", "other"];

    /// <summary>Version 2 holds the scripts and the method; version 1 only the table.</summary>
    private static DbSchema Schema(string? migration = null, string? downgrade = null, string? body = null, string[]? services = null)
    {
        var first = new DbVersion(1, "one", "begin\n  create table things (id integer);\nend", "begin\n  drop table things;\nend", []);
        var methods = body is null ? new List<DbMethod>() : [new DbMethod("get_thing", "d", MethodMode.Read, "svc", "id_in integer", "integer", body, false, BodyLocation: new SourceLocation("0002.yml", 20, 7))];
        var second = new DbVersion(2, "two", migration ?? "begin\nend", downgrade ?? "begin\nend", methods, MigrationScriptLocation: new SourceLocation("0002.yml", 4, 3), DowngradeScriptLocation: new SourceLocation("0002.yml", 12, 3));
        var access = (services ?? TwoServices).Select(s => new ServiceAccess(s, new Dictionary<string, TableAccess>())).ToList();
        return new DbSchema([first, second], access, new Dictionary<string, IReadOnlyDictionary<string, string>>());
    }

    private static IReadOnlyList<Mutant> Of(DbSchema schema, MutationOperator op) =>
        MutantGenerator.Generate(schema, 2).Where(m => m.Operator == op).ToList();

    private static IEnumerable<(string Before, string After)> Edits(IEnumerable<Mutant> mutants) => mutants.Select(m => (m.Before, m.After));

    // ----- drop-statement -----

    [TestCase("drop table old_things;")]
    [TestCase("revoke select on things from $db_user_prefix$_svc;")]
    [TestCase("grant select on things to $db_user_prefix$_svc;")]
    [TestCase("alter table things alter column id drop default;")]
    [TestCase("alter table things alter column id set not null;")]
    [TestCase("update things set id = id - 1;")]
    [TestCase("insert into things (id) select id from old_things;")]
    [TestCase("create index things_id_idx on things (id);")]
    public void EachKindOfDowngradeStatementCanBeDropped(string statement)
    {
        var mutants = Of(Schema(downgrade: $"begin\n  {statement}\n  perform 1;\nend"), MutationOperator.DropStatement);

        Assert.That(mutants, Has.Count.EqualTo(1));
        Assert.That(mutants[0].Target, Is.EqualTo(MutantTarget.DowngradeScript));
        Assert.That(mutants[0].Before, Is.EqualTo("  " + statement));
        Assert.That(mutants[0].After, Is.Empty);
        Assert.That(mutants[0].MutatedText, Is.EqualTo("begin\n  perform 1;\nend"), "the statement's line is gone, nothing else");
        Assert.That(mutants[0].Location, Is.EqualTo(new SourceLocation("0002.yml", 13, 1)));
    }

    [TestCase("-- drop table old_things;")]
    [TestCase("/* drop table old_things; */")]
    [TestCase("raise notice 'drop table old_things;';")]
    [TestCase("perform $x$ drop table old_things; $x$;")]
    [TestCase("create table new_things (id integer);")]
    [TestCase("lock table things;")]
    public void LookAlikesOfDowngradeStatementsAreNotDropped(string statement) =>
        Assert.That(Of(Schema(downgrade: $"begin\n  {statement}\nend"), MutationOperator.DropStatement), Is.Empty);

    [Test]
    public void MigrationStatementsThatMoveDataOrRevokeCanBeDropped()
    {
        var migration = "begin\n  create table new_things (id integer);\n  insert into new_things (id) select id from things;\n  update things set id = 0;\n  delete from things;\n  revoke select on things from $db_user_prefix$_svc;\n  drop table old_things;\nend";

        var dropped = Of(Schema(migration: migration), MutationOperator.DropStatement).Select(m => m.Before.Trim());

        Assert.That(dropped, Is.EqualTo(new[]
        {
            "insert into new_things (id) select id from things;", "update things set id = 0;", "delete from things;", "revoke select on things from $db_user_prefix$_svc;",
        }));
    }

    [Test]
    public void StatementsInsideIfBlocksAndBetweenPrefixPlaceholdersAreFound()
    {
        // $db_user_prefix$ is an identifier part in scripts: taken for a dollar quote, it would hide the drop.
        var downgrade = "declare\n  n integer;\nbegin\n  grant select on a to $db_user_prefix$_svc; drop table x; grant select on b to $db_user_prefix$_svc;\n" +
                        "  if not exists (select 1 from things where id = 1) then\n    delete from things;\n  end if;\nend";

        var dropped = Of(Schema(downgrade: downgrade), MutationOperator.DropStatement).Select(m => m.Summary);

        Assert.That(dropped, Is.EqualTo(new[]
        {
            "removes the statement `grant select on a to $db_user_prefix$_svc;`",
            "removes the statement `drop table x;`",
            "removes the statement `grant select on b to $db_user_prefix$_svc;`",
            "removes the statement `delete from things;`",
        }));
        var drop = Of(Schema(downgrade: downgrade), MutationOperator.DropStatement)[1];
        Assert.That(drop.MutatedText, Does.Contain("$db_user_prefix$_svc; grant select on b"), "one blank stays between the neighbours");
    }

    // ----- drop-alter-action -----

    [Test]
    public void EachActionOfAMultiActionAlterCanBeDropped()
    {
        var mutants = Of(Schema(downgrade: "begin\n  alter table things alter column a set not null, alter column b drop default, drop column c;\nend"), MutationOperator.DropAlterAction);

        Assert.That(Edits(mutants).Select(e => e.After), Is.EqualTo(new[]
        {
            "  alter table things alter column b drop default, drop column c;",
            "  alter table things alter column a set not null, drop column c;",
            "  alter table things alter column a set not null, alter column b drop default;",
        }));
    }

    [Test]
    public void CommasInsideParenthesesAreNotActions()
    {
        var schema = Schema(downgrade: "begin\n  alter table things add constraint things_id check (id in (1, 2, 3));\nend");

        Assert.That(Of(schema, MutationOperator.DropAlterAction), Is.Empty);
        Assert.That(Of(schema, MutationOperator.DropStatement), Has.Count.EqualTo(1), "a single-action alter is one statement to drop");
    }

    // ----- drop-where-condition -----

    [Test]
    public void EachWhereConditionOfADataStatementCanBeDropped()
    {
        var mutants = Of(Schema(migration: "begin\n  update things set id = 0 where id > 5 and id between 1 and 9 and (id = 2 or id = 3);\nend"), MutationOperator.DropWhereCondition);

        Assert.That(mutants.Select(m => m.After.Trim()), Is.EqualTo(new[]
        {
            "update things set id = 0 where id between 1 and 9 and (id = 2 or id = 3);",
            "update things set id = 0 where id > 5 and (id = 2 or id = 3);",
            "update things set id = 0 where id > 5 and id between 1 and 9;",
        }), "the and of between does not split a condition");
    }

    [Test]
    public void ASingleConditionTakesItsWhereWithIt()
    {
        var mutant = Of(Schema(body: "begin\n  return (select count(*) from things where things.id = id_in);\nend"), MutationOperator.DropWhereCondition).Single();

        Assert.That(mutant.After, Is.EqualTo("  return (select count(*) from things);"));
        Assert.That(mutant.Where, Is.EqualTo("method get_thing"));
        Assert.That(mutant.Location, Is.EqualTo(new SourceLocation("0002.yml", 21, 1)));
    }

    [Test]
    public void WhereClausesEndWhereTheQueryGoesOn()
    {
        var mutants = Of(Schema(body: "begin\n  return query select id from things where id > 1 and id < 9 order by id limit 5 for update;\nend"), MutationOperator.DropWhereCondition);

        Assert.That(mutants.Select(m => m.After.Trim()), Is.EqualTo(new[]
        {
            "return query select id from things where id < 9 order by id limit 5 for update;",
            "return query select id from things where id > 1 order by id limit 5 for update;",
        }));
    }

    [TestCase("update things set note = E'it\\'s where id = 1' where id = 2;", "update things set note = E'it\\'s where id = 1';")]
    [TestCase("update things set path = 'C:\\' where id = 2;", "update things set path = 'C:\\';")]
    [TestCase("update things set note = $q$ where id = 1 $q$ where id = 2;", "update things set note = $q$ where id = 1 $q$;")]
    [TestCase("update things set id = 0 -- where id = 1\n  where id = 2;", "update things set id = 0 -- where id = 1\n;")]
    public void OnlyTheWhereOutsideLiteralsAndCommentsIsACondition(string statement, string after)
    {
        var mutant = Of(Schema(migration: $"begin\n  {statement}\nend"), MutationOperator.DropWhereCondition).Single();

        Assert.That(mutant.MutatedText, Is.EqualTo($"begin\n  {after}\nend"));
    }

    [Test]
    public void WhereOfDdlInScriptsIsNotMutated() =>
        Assert.That(Of(Schema(migration: "begin\n  create index things_id_idx on things (id) where id > 0;\nend"), MutationOperator.DropWhereCondition), Is.Empty);

    // ----- grant-other-service -----

    [Test]
    public void AGrantCanNameAnotherService()
    {
        var mutant = Of(Schema(migration: "begin\n  grant select, update on things to $db_user_prefix$_svc;\nend"), MutationOperator.GrantToOtherService).Single();

        Assert.That(mutant.After, Is.EqualTo("  grant select, update on things to $db_user_prefix$_other;"));
        Assert.That(mutant.Summary, Does.StartWith("grants to service other instead of svc"));
    }

    [TestCase("begin\n  revoke select on things from $db_user_prefix$_svc;\nend", null)]
    [TestCase("begin\n  -- grant select on things to $db_user_prefix$_svc;\nend", null)]
    [TestCase("begin\n  grant select on things to $db_user_prefix$_svc;\nend", new[] { "svc" })]
    public void RevokesCommentsAndDirectoriesWithOneServiceHaveNoOtherGrant(string migration, string[]? services) =>
        Assert.That(Of(Schema(migration: migration, services: services), MutationOperator.GrantToOtherService), Is.Empty);

    // ----- drop-if-exists -----

    [Test]
    public void IfExistsCanBeRemoved()
    {
        var mutants = Of(Schema(downgrade: "begin\n  drop index if exists things_id_idx;\n  alter table things drop column if exists note;\nend"), MutationOperator.DropIfExists);

        Assert.That(mutants.Select(m => m.After), Is.EqualTo(new[] { "  drop index things_id_idx;", "  alter table things drop column note;" }));
    }

    [TestCase("create table if not exists notes (id integer);")]
    [TestCase("if exists (select 1 from things) then\n    perform 1;\n  end if;")]
    [TestCase("raise notice 'drop index if exists x';")]
    public void IfExistsLookAlikesAreNotMutated(string statement) =>
        Assert.That(Of(Schema(downgrade: $"begin\n  {statement}\nend"), MutationOperator.DropIfExists), Is.Empty);

    // ----- swap-comparison -----

    [Test]
    public void ComparisonsOfABodySwapWithTheirOrEqualForm()
    {
        var mutants = Of(Schema(body: "begin\n  return (select count(*) from things where id < 1 or id <= 2 or id > 3 or id >= 4 or id <-1);\nend"), MutationOperator.SwapComparison);

        Assert.That(mutants.Select(m => m.Summary), Is.EqualTo(new[] { "`<` becomes `<=`", "`<=` becomes `<`", "`>` becomes `>=`", "`>=` becomes `>`", "`<` becomes `<=`" }));
        Assert.That(mutants[^1].After, Does.Contain("id <=-1"), "<- is < followed by a minus sign");
    }

    [Test]
    public void OtherOperatorsLiteralsAndCommentsAreNotComparisons()
    {
        var body = "begin\n  -- id < 3\n  return (select count(*) from things where id <> 1 and value ->> 'k' = '<' and tags @> '[]' and bits << 1 = 2 and value #> '{a}' is null and f(x => 1) = E'\\'<');\nend";

        Assert.That(Of(Schema(body: body), MutationOperator.SwapComparison), Is.Empty);
    }

    [Test]
    public void ScriptsComparisonsOutsideFunctionBodiesAreNotSwapped() =>
        Assert.That(Of(Schema(migration: "begin\n  update things set id = 0 where id > 5;\nend"), MutationOperator.SwapComparison), Is.Empty);

    // ----- drop-for-update -----

    [TestCase("for update", "  perform 1 from things where id = id_in;")]
    [TestCase("for update skip locked", "  perform 1 from things where id = id_in;")]
    [TestCase("for no key update of things nowait", "  perform 1 from things where id = id_in;")]
    [TestCase("for share", "  perform 1 from things where id = id_in;")]
    public void LockingClausesCanBeRemoved(string clause, string after)
    {
        var mutant = Of(Schema(body: $"begin\n  perform 1 from things where id = id_in {clause};\nend"), MutationOperator.DropForUpdate).Single();

        Assert.That(mutant.After, Is.EqualTo(after));
        Assert.That(mutant.Summary, Is.EqualTo($"removes `{clause}`"));
    }

    [TestCase("begin\n  raise notice 'select 1 for update';\nend")]
    [TestCase("begin\n  /* for update */ perform 1;\nend")]
    [TestCase("begin\n  for update_count in 1 .. 3 loop\n    perform 1;\n  end loop;\nend")]
    public void LockingLookAlikesAreNotRemoved(string body) =>
        Assert.That(Of(Schema(body: body), MutationOperator.DropForUpdate), Is.Empty);

    // ----- functions created by scripts -----

    [Test]
    public void FunctionsAScriptCreatesAreMutatedInsideTheirDollarQuotes()
    {
        var migration = "begin\n  create function online_migration_v2_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $fn$\n" +
                        "  begin\n    perform 1 from things where id > 0 and id <= batch_size_in for update;\n    return query select 0, state_in;\n  end\n  $fn$ language plpgsql;\nend";

        var mutants = MutantGenerator.Generate(Schema(migration: migration), 2);

        Assert.That(mutants.Select(m => Mutant.OperatorId(m.Operator)), Is.EqualTo(new[]
        {
            "drop-where-condition", "drop-where-condition", "swap-comparison", "swap-comparison", "drop-for-update",
        }));
        Assert.That(mutants.Select(m => m.Where).Distinct(), Is.EqualTo(new[] { "migration script, function online_migration_v2_batch" }));
        Assert.That(mutants[2].MutatedText, Does.Contain("where id >= 0 and id <= batch_size_in").And.StartWith("begin\n  create function online_migration_v2_batch"));
        Assert.That(mutants[0].Location, Is.EqualTo(new SourceLocation("0002.yml", 7, 1)));
    }

    // ----- the set -----

    [Test]
    public void MutantsAreNumberedDeterministicallyAndEditOnlyTheirVersion()
    {
        var schema = Schema(migration: "begin\n  update things set id = 0 where id > 5;\nend", downgrade: "begin\n  drop index if exists x;\nend", body: "begin\n  return id_in;\nend");

        var first = MutantGenerator.Generate(schema, 2);
        var second = MutantGenerator.Generate(schema, 2);

        Assert.That(first.Select(m => m.Id), Is.EqualTo(new[] { "v0002-01", "v0002-02", "v0002-03", "v0002-04" }));
        Assert.That(second, Is.EqualTo(first));
        foreach (var mutant in first)
        {
            var mutated = mutant.Apply(schema);
            Assert.That(mutated.Versions[0], Is.EqualTo(schema.Versions[0]));
            Assert.That(mutated.Versions[1], Is.Not.EqualTo(schema.Versions[1]), mutant.ToString());
        }
    }

    [Test]
    public void AVersionWithoutSqlHasNoMutants() =>
        Assert.That(MutantGenerator.Generate(Schema(migration: "begin\nend", body: "begin\n  return id_in;\nend"), 2), Is.Empty);
}
