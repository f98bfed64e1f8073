using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Schema;

[TestFixture]
public sealed class SchemaLoaderTests
{
    [TestCaseSource(typeof(LoadErrorCases), nameof(LoadErrorCases.All))]
    public void BrokenDirectoryNamesFileLineAndProblem(LoadErrorCases.LoadError expected)
    {
        var directory = TestDirectories.Broken(expected.Directory);

        var error = Assert.Throws<SchemaLoadException>(() => SchemaLoader.Load(directory))!;

        var path = Path.Join(directory, expected.File);
        var match = error.Errors.FirstOrDefault(e => e.Message.Contains(expected.Fragment, StringComparison.Ordinal));
        Assert.That(match, Is.Not.Null, () => $"no error contains '{expected.Fragment}'; got:\n{error.Message}");
        Assert.That(match!.Location, Is.EqualTo(new SourceLocation(path, expected.Line, expected.Column)), () => error.Message);
        Assert.That(error.Message, Does.Contain(match.ToString()));
    }

    [Test]
    public void EveryErrorOfTheDirectoryIsReportedTogether()
    {
        var directory = TestDirectories.Broken("many-errors");

        var error = Assert.Throws<SchemaLoadException>(() => SchemaLoader.Load(directory))!;

        Assert.That(error.Errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
        {
            $"{Path.Join(directory, "versions/0001.yml")}:1:10: 0001.yml: version is the string \"1\"; expected a number without quotes, version: 1",
            $"{Path.Join(directory, "versions/0002.yml")}:3:1: version 2: unknown key 'extra'; expected only version, description, migrationScript, downgradeScript and methods",
            $"{Path.Join(directory, "tables.yml")}:2:7: tables.yml: the type of things.id is the number 7; expected the type as format_type prints it, e.g. text not null or timestamp with time zone",
        }));
        Assert.That(error.Message, Does.StartWith("3 errors:"));
    }

    [Test]
    public void DuplicateKeysAreRejectedAtEveryLevel()
    {
        var directory = TestDirectories.Broken("duplicate-keys-every-level");

        var error = Assert.Throws<SchemaLoadException>(() => SchemaLoader.Load(directory))!;

        Assert.That(error.Errors.Select(e => (Path.GetFileName(e.Location.File), e.Location.Line, e.Message)), Is.EquivalentTo(new[]
        {
            ("0001.yml", 3, "duplicate key 'description': it is already defined at line 2; expected each key once per mapping"),
            ("0001.yml", 8, "duplicate key 'mode': it is already defined at line 7; expected each key once per mapping"),
            ("access.yml", 4, "duplicate key 'things': it is already defined at line 3; expected each key once per mapping"),
        }));
    }

    [Test]
    public void MissingDirectoryIsOneClearError()
    {
        var error = Assert.Throws<SchemaLoadException>(() => SchemaLoader.Load("/nonexistent/db"))!;

        Assert.That(error.Errors.Single().ToString(), Is.EqualTo("/nonexistent/db: db directory not found; expected a directory holding versions/, access.yml and tables.yml"));
    }

    [Test]
    public void SimpleDirectoryLoadsWithExternalFilesInlined()
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid("simple"));

        Assert.That(schema.LatestVersion, Is.EqualTo(3));
        var v2 = schema.GetVersion(2);
        Assert.That(v2.MigrationScript, Is.EqualTo("begin\n  create index widgets_created on widgets (created);\nend\n"));
        Assert.That(v2.FindMethod("count_widgets")!.Body, Is.EqualTo("begin\n  return (select count(*) from widgets);\nend\n"));
        Assert.That(v2.FindMethod("count_widgets")!.BodyLocation!.Value.File, Does.EndWith("0002-count-widgets.sql"));
        Assert.That(v2.Methods.Select(m => m.Name), Is.EqualTo(new[] { "count_widgets", "get_widget" }), "methods keep file order");
        Assert.That(schema.GetVersion(1).MigrationScript, Does.Contain("$db_user_prefix$_service_a"));
        Assert.That(schema.Access.Single().Tables["widgets"], Is.EqualTo(TableAccess.Write));
        Assert.That(schema.Tables["widgets"]["created"], Is.EqualTo("timestamp with time zone not null"));
        Assert.That(schema.TableLocation("widgets", "created")!.Value.Line, Is.EqualTo(3));
    }

    [Test]
    public void EffectiveMethodsFoldDeprecationWithoutLosingTheDefinition()
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid("simple"));

        var methods = schema.EffectiveMethods().ToDictionary(m => m.Name);
        Assert.That(methods.Keys, Is.EqualTo(new[] { "count_widgets", "create_widget", "get_widget" }));
        Assert.That(methods["count_widgets"].Deprecated, Is.True);
        Assert.That(methods["count_widgets"].DefinedInVersion, Is.EqualTo(2));
        Assert.That(methods["count_widgets"].LastEntryVersion, Is.EqualTo(3));
        Assert.That(methods["get_widget"].DefinedInVersion, Is.EqualTo(2));
        Assert.That(schema.EffectiveMethods(1).Select(m => m.Name), Is.EqualTo(new[] { "create_widget", "get_widget" }));
        Assert.That(schema.LastDefinition("count_widgets", 3)!.Value.Version, Is.EqualTo(2));
        Assert.That(schema.LastDefinition("count_widgets", 1), Is.Null);
    }

    [Test]
    public void BlockScalarBodyLocationIsTheFirstLineOfText()
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid("simple"));

        var body = schema.GetVersion(1).FindMethod("get_widget")!.BodyLocation!.Value;
        Assert.That(body.Line, Is.EqualTo(22));
        Assert.That(File.ReadAllLines(body.File)[body.Line - 1].Trim(), Is.EqualTo("begin"));
    }

    [Test]
    public void EmptyMethodListAndMappingAreAccepted()
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid("empty-methods"));

        Assert.That(schema.GetVersion(2).Methods, Is.Empty);
        Assert.That(schema.GetVersion(3).Methods, Is.Empty);
    }

    [Test]
    public void ShortFileNamesCountAndDotfilesBackupsAndReadmeAreIgnored()
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid("short-names-and-ignored-files"));

        Assert.That(schema.Versions.Select(v => v.Number), Is.EqualTo(new[] { 1, 2 }));
    }
}
