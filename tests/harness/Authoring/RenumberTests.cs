using Tcdb.Authoring;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Cli;
using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Authoring;

[TestFixture]
public sealed class RenumberTests
{
    /// <summary>TestData/authoring/gap: versions 1 and 3 (version 2 is missing), version 3 with external SQL files.</summary>
    private const string GapDirectory = "authoring/gap";

    [Test]
    public async Task MovesTheVersionItsSqlFilesAndItsTestAndRewritesExactlyTheirReferences()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        repository.WriteTest("V0003Test.cs", VersionScaffold.TestClass(3));
        var before = repository.Snapshot();

        var run = await CliRun.RunAsync("renumber", "3", "2", "--db-dir", repository.Db, "--tests-dir", repository.TestsDirectory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        var after = repository.Snapshot();
        string[] moved = ["versions/0003.yml", "versions/0003-migration.sql", "versions/0003-downgrade.sql", "versions/0003-thing-size.sql", "V0003Test.cs"];
        Assert.That(after.Keys, Is.EquivalentTo(before.Keys.Select(k => moved.Any(k.EndsWith) ? k.Replace("0003", "0002") : k)));
        foreach (var sql in new[] { "0003-migration.sql", "0003-downgrade.sql", "0003-thing-size.sql" })
        {
            Assert.That(after["db/versions/" + sql.Replace("0003", "0002")], Is.EqualTo(before["db/versions/" + sql]), $"{sql} moved byte for byte");
        }

        Assert.That(after["db/versions/0003-notes.txt"], Is.EqualTo(before["db/versions/0003-notes.txt"]), "a file the version does not reference stays");
        foreach (var unchanged in new[] { "db/versions/0001.yml", "db/access.yml", "db/tables.yml" })
        {
            Assert.That(after[unchanged], Is.EqualTo(before[unchanged]), unchanged);
        }

        Assert.That(repository.ReadVersion("0002.yml"), Is.EqualTo("""
            # Version 0003 was written on a branch; main took version 2 and then dropped it.
            description: add a size to things (see also 0003-notes.txt, which is not SQL)
            version:   2   # keep in step with the file name
            migrationScript: 0002-migration.sql
            downgradeScript: '0002-downgrade.sql'
            methods:
              thing_size:
                description: The size of a thing.
                mode: read
                serviceName: svc
                args: id_in text
                returns: integer
                body: 0002-thing-size.sql
              get_thing:
                description: Get a thing (uses the shared body of version 1).
                mode: read
                serviceName: svc
                args: id_in text
                returns: table (id text)
                body: |-
                  begin
                    return query select things.id from things where things.id = id_in;
                  end

            """), "only the version value and the references to the renamed files change; comments and layout stay");

        var test = File.ReadAllText(Path.Join(repository.TestsDirectory, "V0002Test.cs"));
        Assert.That(test, Is.EqualTo(VersionScaffold.TestClass(3).Replace("V0003Test", "V0002Test").Replace("0003.yml", "0002.yml").Replace("version 3", "version 2").Replace("Version 3", "Version 2")));
        Assert.That(test, Does.Contain("public sealed class V0002Test : VersionTest\n"));

        var schema = SchemaLoader.Load(repository.Db);
        Assert.That(schema.LatestVersion, Is.EqualTo(2));
        Assert.That(schema.GetVersion(2).MigrationScript, Does.Contain("add column size"), "the renamed migration file is found");
        Assert.That(schema.GetVersion(2).FindMethod("thing_size")!.Body, Does.Contain("things.size"));
    }

    [Test]
    public void AnotherVersionThatReusesARenamedFileIsRewrittenToo()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        File.WriteAllText(Path.Join(repository.Versions, "0004.yml"), "version: 4\ndescription: index sizes\nmigrationScript: 0004-migration.sql\ndowngradeScript: 0004-downgrade.sql\nmethods: {}\n");
        File.WriteAllText(Path.Join(repository.Versions, "0004-migration.sql"), "begin\n  create index things_size on things (size);\nend\n");
        File.WriteAllText(Path.Join(repository.Versions, "0004-downgrade.sql"), "begin\n  drop index things_size;\nend\n");
        var version3 = Path.Join(repository.Versions, "0003.yml");
        File.WriteAllText(version3, File.ReadAllText(version3).Replace("downgradeScript: '0003-downgrade.sql'", "downgradeScript: '0004-downgrade.sql'"));

        VersionRenumbering.Plan(repository.Db, repository.TestsDirectory, 4, 2).Apply();

        Assert.That(repository.ReadVersion("0002.yml"), Is.EqualTo("version: 2\ndescription: index sizes\nmigrationScript: 0002-migration.sql\ndowngradeScript: 0002-downgrade.sql\nmethods: {}\n"));
        Assert.That(repository.ReadVersion("0003.yml"), Does.Contain("downgradeScript: '0002-downgrade.sql'\n"));
        Assert.That(repository.ReadVersion("0003.yml"), Does.Contain("migrationScript: 0003-migration.sql\n"), "its own files keep their names");
        Assert.That(SchemaLoader.Load(repository.Db).GetVersion(3).DowngradeScript, Does.Contain("drop index things_size"));
    }

    [Test]
    public void AVersionTestThatPassesItsNumberGetsTheNewNumber()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        repository.WriteTest("V0003Test.cs", "public sealed class V0003Test() : VersionTest(3)\n{\n    // VersionTest(13) is another number\n}\n");

        VersionRenumbering.Plan(repository.Db, repository.TestsDirectory, 3, 2).Apply();

        Assert.That(File.ReadAllText(Path.Join(repository.TestsDirectory, "V0002Test.cs")), Is.EqualTo("public sealed class V0002Test() : VersionTest(2)\n{\n    // VersionTest(13) is another number\n}\n"));
    }

    [Test]
    public void RegeneratesFnsMdWhenTheDirectoryHasOne()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        File.WriteAllText(Path.Join(repository.Db, "fns.md"), "stale\n");

        VersionRenumbering.Plan(repository.Db, repository.TestsDirectory, 3, 2).Apply();

        Assert.That(File.ReadAllText(Path.Join(repository.Db, "fns.md")), Is.EqualTo(FunctionDocs.Generate(SchemaLoader.Load(repository.Db))));
        Assert.That(File.ReadAllText(Path.Join(repository.Db, "fns.md")), Does.Contain("* Last defined in version: 2"));
    }

    [TestCase("3", "1", "versions/0001.yml already exists; version 1 is taken")]
    [TestCase("3", "4", "renumbering version 3 to 4 would leave versions 2, 3 missing; versions are numbered 1..N without gaps")]
    [TestCase("1", "2", "renumbering version 1 to 2 would leave version 1 missing")]
    [TestCase("5", "2", "versions/0005.yml not found; version 5 has no file to renumber")]
    [TestCase("3", "3", "version 3 already has that number")]
    public async Task RefusesAndChangesNothing(string from, string to, string message)
    {
        using var repository = TempRepository.Copy(GapDirectory);
        repository.WriteTest("V0003Test.cs", VersionScaffold.TestClass(3));
        var before = repository.Snapshot();

        var run = await CliRun.RunAsync("renumber", from, to, "--db-dir", repository.Db, "--tests-dir", repository.TestsDirectory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain(message), run.ToString);
        AssertUnchanged(repository, before);
    }

    [Test]
    public async Task RefusesWhenTheTestOfTheNewNumberExists()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        repository.WriteTest("V0003Test.cs", VersionScaffold.TestClass(3));
        repository.WriteTest("V0002Test.cs", "// someone else's\n");
        var before = repository.Snapshot();

        var run = await CliRun.RunAsync("renumber", "3", "2", "--db-dir", repository.Db, "--tests-dir", repository.TestsDirectory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("V0002Test.cs already exists; cannot rename"), run.ToString);
        AssertUnchanged(repository, before);
    }

    [Test]
    public async Task RefusesWhenTheResultWouldNotLoad()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        File.AppendAllText(Path.Join(repository.Versions, "0003.yml"), "colour: blue\n");
        var before = repository.Snapshot();

        var run = await CliRun.RunAsync("renumber", "3", "2", "--db-dir", repository.Db, "--tests-dir", repository.TestsDirectory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain($"would not load, so nothing was changed:\n  {Path.Join(repository.Versions, "0002.yml")}:24:1: version 2: unknown key 'colour'"), run.ToString);
        AssertUnchanged(repository, before);
    }

    [Test]
    public async Task RefusesAFileThatIsNotYaml()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        File.WriteAllText(Path.Join(repository.Versions, "0003.yml"), "version: 3\nmethods: [\n");
        var before = repository.Snapshot();

        var run = await CliRun.RunAsync("renumber", "3", "2", "--db-dir", repository.Db);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain($"{Path.Join(repository.Versions, "0003.yml")} cannot be read, so nothing was changed"), run.ToString);
        Assert.That(run.Error, Does.Contain("invalid YAML"), run.ToString);
        AssertUnchanged(repository, before);
    }

    [Test]
    public async Task DryRunPrintsTheChangesAndWritesNothing()
    {
        using var repository = TempRepository.Copy(GapDirectory);
        var before = repository.Snapshot();

        var run = await CliRun.RunAsync("renumber", "3", "2", "--db-dir", repository.Db, "--dry-run");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.Contain($"rename {Path.Join(repository.Versions, "0003-migration.sql")} -> {Path.Join(repository.Versions, "0002-migration.sql")}"));
        Assert.That(run.Out, Does.Contain("nothing written"));
        AssertUnchanged(repository, before);
    }

    [Test]
    public void DefaultTestsDirectoryIsTestsVersionsBesideTheDbDirectory()
    {
        Assert.That(VersionFiles.DefaultTestsDirectory("/repo/db/"), Is.EqualTo("/repo/tests/versions"));
        Assert.That(VersionFiles.DefaultTestsDirectory("/repo/db"), Is.EqualTo("/repo/tests/versions"));
    }

    [TestCase("x", "2", "OLD must be a version number (1, 2, ...), not 'x'")]
    [TestCase("3", "-1", "NEW must be a version number")]
    public async Task BadArgumentsAreUsageErrors(string from, string to, string message)
    {
        var run = await CliRun.RunAsync("renumber", from, to);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain(message));
    }

    private static void AssertUnchanged(TempRepository repository, IReadOnlyDictionary<string, byte[]> before)
    {
        var after = repository.Snapshot();
        Assert.That(after.Keys, Is.EquivalentTo(before.Keys), "no file created or removed");
        Assert.That(after.Where(f => !f.Value.SequenceEqual(before[f.Key])).Select(f => f.Key), Is.Empty, "no file changed");
    }
}
