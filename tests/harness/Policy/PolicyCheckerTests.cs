using Tcdb.Policy;
using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Policy;

[TestFixture]
public sealed class PolicyCheckerTests
{
    private static DbSchema WithMethod(string body, MethodMode mode = MethodMode.Write, string args = "id_in text", string? migration = null)
    {
        var first = new DbVersion(1, "one", null, null, [new DbMethod("get_thing", "d", mode, "svc", args, "void", body, false)]);
        var versions = migration is null ? new[] { first } : [first, new DbVersion(2, "two", migration, "begin end", [])];
        return new DbSchema(versions, [new ServiceAccess("svc", new Dictionary<string, TableAccess>())], new Dictionary<string, IReadOnlyDictionary<string, string>>());
    }

    private static IEnumerable<string> Rules(DbSchema schema) => PolicyChecker.Check(schema).Select(f => f.RuleId);

    [TestCase("begin select t.* into r from things t; end")]
    [TestCase("begin select distinct * from things; end")]
    [TestCase("begin SELECT\n *\n FROM things; end")]
    public void SelectStarVariantsAreFound(string body) => Assert.That(Rules(WithMethod(body)), Is.EqualTo(new[] { "select-star" }));

    [TestCase("begin insert into things values (1); end")]
    [TestCase("begin delete from things; end")]
    [TestCase("begin truncate things; end")]
    [TestCase("begin create table x (id int); end")]
    [TestCase("begin alter table things add column y int; end")]
    [TestCase("begin update things as t set id = 1; end")]
    public void ReadMethodWritesIsFoundForEveryKindOfWrite(string body) =>
        Assert.That(Rules(WithMethod(body, MethodMode.Read)), Is.EqualTo(new[] { "read-method-writes" }));

    [TestCase("begin perform 1 from things for update; end")]
    [TestCase("begin perform 1 from things for no key update skip locked; end")]
    [TestCase("begin raise log 'delete from things'; end")]
    [TestCase("begin perform $q$ insert into things $q$; end")]
    public void ReadMethodLookAlikesAreNotFindings(string body) => Assert.That(Rules(WithMethod(body, MethodMode.Read)), Is.Empty);

    [TestCase("drop function get_thing(text), other(int)", 1)]
    [TestCase("DROP FUNCTION IF EXISTS public.\"get_thing\"", 1)]
    [TestCase("drop function online_migration_v2_batch(int); drop function helper()", 0)]
    [TestCase("grant select on things to $db_user_prefix$_svc;\n  drop function get_thing(text);\n  revoke select on things from $db_user_prefix$_svc", 1)]
    [TestCase("grant select on things to $db_user_prefix$_svc;\n  perform 'drop function get_thing(text)';\n  revoke select on things from $db_user_prefix$_svc", 0)]
    public void DroppingAMethodIsFoundButHelpersAreNot(string statement, int expected)
    {
        var schema = WithMethod("begin end", migration: $"begin\n  {statement};\nend");

        Assert.That(Rules(schema).Count(r => r == "drop-defined-function"), Is.EqualTo(expected));
    }

    [TestCase("id_in text, n_in int", 0)]
    [TestCase("id text, in n_in int, variadic rest text[]", 2)]
    [TestCase("", 0)]
    [TestCase("text", 0)]
    [TestCase("a_in numeric(10, 2), b int", 1)]
    public void ArgumentNamesWithoutInSuffix(string args, int expected) =>
        Assert.That(Rules(WithMethod("begin end", args: args)).Count(r => r == "arg-without-in-suffix"), Is.EqualTo(expected));

    [TestCase("timestamp", true)]
    [TestCase("timestamp not null", true)]
    [TestCase("timestamp(3) without time zone", true)]
    [TestCase("timestamp with time zone not null", false)]
    [TestCase("timestamp(6) with time zone", false)]
    [TestCase("text", false)]
    public void TimestampWithoutTimeZoneAtLatestVersion(string type, bool expected)
    {
        var schema = new DbSchema([], [], new Dictionary<string, IReadOnlyDictionary<string, string>> { ["t"] = new Dictionary<string, string> { ["c"] = type } });

        Assert.That(Rules(schema).Contains("timestamp-without-tz"), Is.EqualTo(expected));
    }

    [Test]
    public void WaiverMovesTheFindingAndUnusedWaiversAreReported()
    {
        var schema = WithMethod("begin select * from things; end");
        PolicyWaiver[] waivers =
        [
            new("select-star", "get_thing", "a reason long enough"),
            new("select-star", "get_other", "a reason long enough"),
        ];

        var report = PolicyChecker.Check(schema, waivers);

        Assert.That(report.Waived.Single().RuleId, Is.EqualTo("select-star"));
        Assert.That(report.Findings.Single().ToString(), Is.EqualTo("(schema): unused-waiver: warning: the waiver for rule select-star on get_other matches no finding; delete it (or fix its rule or object name)"));
    }
}
