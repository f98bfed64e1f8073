using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Schema;

public sealed class RolePrefixTests
{
    [TestCase("taskcluster")]
    [TestCase("a_b")]
    [TestCase("_")]
    public void LowercaseLettersAndUnderscoresAreAPrefix(string text) =>
        Assert.That(RolePrefix.Parse(text).Value, Is.EqualTo(text));

    [TestCase("")]
    [TestCase("Bad")]
    [TestCase("t1")]
    [TestCase("a-b")]
    [TestCase("a b")]
    [TestCase("a%")]
    [TestCase(null)]
    public void AnythingElseIsRejectedNamingTheRule(string? text)
    {
        var error = Assert.Throws<ArgumentException>(() => RolePrefix.Parse(text));
        Assert.That(error!.Message, Does.StartWith($"role prefix '{text}' is invalid: it must match ^[a-z_]+$ (lowercase letters and underscores, no digits)"));
    }

    [TestCase("queue", "tc_queue")]
    [TestCase("worker-manager", "tc_worker_manager")]
    [TestCase("web_server", "tc_web_server")]
    public void TheServiceRoleIsThePrefixAnUnderscoreAndTheServiceWithDashesAsUnderscores(string service, string role) =>
        Assert.That(RolePrefix.Parse("tc").RoleFor(service), Is.EqualTo(role));

    [TestCase("tc_queue", true)]
    [TestCase("tc_", true)]
    [TestCase("tcx_queue", false)]
    [TestCase("tc", false)]
    [TestCase("tcqueue", false)]
    [TestCase("other_tc_queue", false)]
    public void OnlyRolesStartingWithThePrefixAndAnUnderscoreMatch(string role, bool matches) =>
        Assert.That(RolePrefix.Parse("tc").Matches(role), Is.EqualTo(matches));

    [Test]
    public void ScriptsGetThePrefixWhereverThePlaceholderStands() =>
        Assert.That(RolePrefix.Parse("a_b").SubstituteIn("to $db_user_prefix$_queue; -- $db_user_prefix$ $1 $db_user"), Is.EqualTo("to a_b_queue; -- a_b $1 $db_user"));

    [Test]
    public void ARandomPrefixIsValidAndNewEachTime()
    {
        var prefixes = Enumerable.Range(0, 20).Select(_ => RolePrefix.Random("tcv")).ToList();
        Assert.That(prefixes.Select(p => p.Value), Has.All.Match("^tcv_[a-z]{8}$"));
        Assert.That(prefixes.Distinct().Count(), Is.GreaterThan(1));
    }

    [Test]
    public void ADerivedPrefixIsTheSameForTheSameSeedAndDiffersForAnother()
    {
        var first = RolePrefix.Derived("tcdb", "db_one");
        Assert.That(RolePrefix.Derived("tcdb", "db_one"), Is.EqualTo(first));
        Assert.That(RolePrefix.Derived("tcdb", "db_one"), Is.Not.EqualTo(RolePrefix.Derived("tcdb", "db_two")));
        Assert.That(RolePrefix.Derived("tcdb", "db_one").Value, Does.Match("^tcdb_[a-z]{8}$"));
    }

    [Test]
    public void AnUnsetPrefixHasNoValue() =>
        Assert.Throws<InvalidOperationException>(() => _ = default(RolePrefix).Value);
}
