using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Schema;

[TestFixture]
public sealed class SchemaJsonTests
{
    [TestCaseSource(typeof(TestDirectories), nameof(TestDirectories.AllValid))]
    public void RoundTripGivesAnEqualModelAndTheSameText(string name)
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid(name));

        var json = SchemaJson.Write(schema);
        var back = SchemaJson.Read(json);

        Assert.That(back, Is.EqualTo(schema));
        Assert.That(SchemaJson.Write(back), Is.EqualTo(json), "deterministic output");
    }

    [Test]
    public void SqlTravelsByteForByte()
    {
        var body = "begin\n  return regexp_replace(x_in, '\\s+', '{a,b}', 'g'); -- \"quoted\" $$ μ\nend";
        var method = new DbMethod("f", "d", MethodMode.Read, "svc", "x_in text", "text", body, false);
        var schema = new DbSchema([new DbVersion(1, "one", null, null, [method])], [], new Dictionary<string, IReadOnlyDictionary<string, string>>());

        var back = SchemaJson.Read(SchemaJson.Write(schema));

        Assert.That(back.GetVersion(1).Methods.Single().Body, Is.EqualTo(body));
    }

    [Test]
    public void ChangedContentIsNotEqual()
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid("simple"));
        var json = SchemaJson.Write(schema).Replace("Count the widgets.", "Count widgets.", StringComparison.Ordinal);

        Assert.That(SchemaJson.Read(json), Is.Not.EqualTo(schema));
    }

    [Test]
    public void InvalidSerializedSchemaNamesLineColumnAndProblem()
    {
        const string json = """
            {
              "access": {},
              "tables": {"t": {"c": 1}},
              "versions": [
                {"version": 2, "methods": {}},
                {"version": 2, "methods": {"f": {"deprecated": "yes"}}, "extra": true}
              ]
            }
            """;

        var error = Assert.Throws<SchemaLoadException>(() => SchemaJson.Read(json, "s.json"))!;

        Assert.That(error.Errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
        {
            "s.json:5:5: versions[0] is version 2; expected version 1 (versions are listed in order 1..N without gaps)",
            "s.json:6:61: version 2: unknown key 'extra'; expected only version, description, migrationScript, downgradeScript and methods",
            "s.json:6:52: version 2, method f: deprecated must be true or false, found the string \"yes\"",
            "s.json:3:25: tables.yml: the type of t.c is the number 1; expected the type as format_type prints it, e.g. text not null or timestamp with time zone",
        }));
    }

    [Test]
    public void DuplicateJsonKeysAndSyntaxErrorsAreReported()
    {
        var duplicate = Assert.Throws<SchemaLoadException>(() => SchemaJson.Read("{\"access\": {}, \"access\": {}, \"tables\": {}, \"versions\": []}", "s.json"))!;
        Assert.That(duplicate.Errors.Single().ToString(), Is.EqualTo("s.json:1:16: duplicate key 'access': it is already defined at line 1; expected each key once per object"));

        var syntax = Assert.Throws<SchemaLoadException>(() => SchemaJson.Read("{\"access\": {,}", "s.json"))!;
        Assert.That(syntax.Errors.Single().ToString(), Does.StartWith("s.json:1:13: invalid JSON"));
    }
}
