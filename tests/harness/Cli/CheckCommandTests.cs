using Tcdb.Cli;
using Tcdb.Harness.Tests.Schema;

namespace Tcdb.Harness.Tests.Cli;

[TestFixture]
public sealed class CheckCommandTests
{
    [TestCaseSource(typeof(LoadErrorCases), nameof(LoadErrorCases.All))]
    public async Task BrokenDirectoryExitsTwoNamingFileLineAndColumn(LoadErrorCases.LoadError expected)
    {
        var directory = TestDirectories.Broken(expected.Directory);

        var run = await CliRun.RunAsync("check", "--db-dir", directory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        var where = expected.Line > 0 ? $"{Path.Join(directory, expected.File)}:{expected.Line}:{expected.Column}: " : $"{Path.Join(directory, expected.File)}: ";
        Assert.That(run.Error.Split('\n'), Has.Some.StartsWith(where).And.Contains(expected.Fragment), run.ToString);
        Assert.That(run.Error, Does.Not.Contain("   at "), "no stack trace");
    }

    [TestCaseSource(nameof(ValidDirectories))]
    public async Task ValidDirectoryHasNoFinding(string name)
    {
        var run = await CliRun.RunAsync("check", "--db-dir", TestDirectories.Valid(name));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.Contain(": 0 errors, 0 warnings"));
    }

    public static IEnumerable<string> ValidDirectories() => TestDirectories.AllValid();

    [TestCase("timestamp-without-tz", "tables.yml", 3, "error", "things.created is 'timestamp without time zone not null', a timestamp without time zone; expected timestamp with time zone")]
    [TestCase("json-not-jsonb", "tables.yml", 3, "warning", "things.data is 'json not null'; prefer jsonb")]
    [TestCase("select-star", "versions/0001.yml", 12, "warning", "method get_thing (version 1) uses 'select *'; list the columns")]
    [TestCase("arg-without-in-suffix", "versions/0001.yml", 4, "warning", "method get_thing (version 1): argument id does not end in _in; expected id_in")]
    [TestCase("drop-defined-function", "versions/0002.yml", 6, "error", "version 2: the migration script drops function get_thing, a method since version 1; functions are forever")]
    [TestCase("read-method-writes", "versions/0001.yml", 12, "error", "method get_thing (version 1) is mode: read but its body runs 'update things set'")]
    [TestCase("dynamic-sql-concat", "versions/0001.yml", 12, "warning", "method get_thing (version 1) executes SQL built with ||")]
    [TestCase("service-not-in-access", "versions/0001.yml", 4, "error", "method get_thing (version 1) belongs to service other_service, which access.yml does not list; expected a service of access.yml (svc)")]
    [TestCase("sql-file-not-found", "versions/0002.yml", 3, "warning", "version 2: migrationScript is '0002-migraton.sql', which looks like a file name but no such file exists")]
    [TestCase("user-prefix-in-body", "versions/0001.yml", 12, "warning", "the body contains $db_user_prefix$")]
    [TestCase("unused-waiver", "policy-waivers.yml", 1, "warning", "the waiver for rule select-star on get_thing matches no finding")]
    public async Task EachRuleIsReportedAsFileLineRuleMessage(string rule, string file, int line, string severity, string fragment)
    {
        var directory = TestDirectories.Policy(rule);

        var run = await CliRun.RunAsync("check", "--db-dir", directory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        var findings = run.Out.Split('\n').Where(l => l.StartsWith(directory, StringComparison.Ordinal)).ToList();
        Assert.That(findings, Has.Count.EqualTo(1), run.ToString);
        Assert.That(findings[0], Does.StartWith($"{Path.Join(directory, file)}:{line}: {rule}: {severity}: "), run.ToString);
        Assert.That(findings[0], Does.Contain(fragment), run.ToString);
    }

    [Test]
    public async Task ErrorsOnlyIgnoresWarnings()
    {
        var directory = TestDirectories.Policy("warnings-only");

        var all = await CliRun.RunAsync("check", "--db-dir", directory);
        var errorsOnly = await CliRun.RunAsync("check", "--db-dir", directory, "--errors-only");

        Assert.That(all.ExitCode, Is.EqualTo(ExitCodes.Findings), all.ToString);
        Assert.That(errorsOnly.ExitCode, Is.EqualTo(ExitCodes.Ok), errorsOnly.ToString);
        Assert.That(errorsOnly.Out, Does.Not.Contain("select-star"));
    }

    [Test]
    public async Task ErrorsOnlyStillFailsOnErrors()
    {
        var run = await CliRun.RunAsync("check", "--db-dir", TestDirectories.Policy("read-method-writes"), "--errors-only");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
    }

    [Test]
    public async Task WaivedFindingIsNotReported()
    {
        var run = await CliRun.RunAsync("check", "--db-dir", TestDirectories.Policy("waived-select-star"));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.Contain("0 errors, 0 warnings, 1 waived"));
    }

    [Test]
    public async Task WaiverFileFromOptionIsUsed()
    {
        var waivers = Path.Join(TestDirectories.Policy("waived-select-star"), "policy-waivers.yml");

        var run = await CliRun.RunAsync("check", "--db-dir", TestDirectories.Policy("select-star"), "--waivers", waivers);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
    }

    [Test]
    public async Task WaiverWithoutAReasonOrWithAnUnknownRuleCannotBeLoaded()
    {
        var directory = TestDirectories.Policy("waiver-without-reason");

        var run = await CliRun.RunAsync("check", "--db-dir", directory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        var file = Path.Join(directory, "policy-waivers.yml");
        Assert.That(run.Error, Does.Contain($"{file}:3:11: policy-waivers.yml: the reason 'ok' is too short"));
        Assert.That(run.Error, Does.Contain($"{file}:4:9: policy-waivers.yml: unknown rule 'select-everything'"));
    }

    [TestCase("deprecated-advice-ignored")]
    [TestCase("fixed-in-later-version")]
    public async Task OnlyTheEffectiveStateIsJudged(string name)
    {
        var run = await CliRun.RunAsync("check", "--db-dir", TestDirectories.Policy(name));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
    }

    [Test]
    public async Task MissingDirectoryExitsTwo()
    {
        var run = await CliRun.RunAsync("check", "--db-dir", "/nonexistent/db");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(run.Error, Does.Contain("/nonexistent/db: db directory not found"));
    }

    [Test]
    public async Task UnknownOptionExitsTwo()
    {
        var run = await CliRun.RunAsync("check", "--db-directory", "x");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(run.Error, Does.Contain("unknown option --db-directory"));
    }

    [Test]
    public async Task SerializedSchemaCanBeChecked()
    {
        var json = Path.Join(Path.GetTempPath(), $"tcdb-check-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(json, Tcdb.Schema.SchemaJson.Write(Tcdb.Schema.SchemaLoader.Load(TestDirectories.Policy("select-star"))));
        try
        {
            var run = await CliRun.RunAsync("check", "--db-dir", json);

            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
            Assert.That(run.Out, Does.Contain("select-star: warning: method get_thing (version 1) uses 'select *'"));
        }
        finally
        {
            File.Delete(json);
        }
    }
}
