using Tcdb.Cli;
using Tcdb.Harness.Tests.Verification;

namespace Tcdb.Harness.Tests.Cli;

/// <summary>Mistakes on the command line: each is one line naming the option, with a hint, and exit 2.</summary>
[TestFixture]
public sealed class CliUsageTests
{
    private const string Unreachable = "postgresql://nobody:secret@127.0.0.1:1/x";

    public static IEnumerable<string> CommandNames() => CliApp.Commands.Select(c => c.Name);

    [TestCaseSource(nameof(CommandNames))]
    public async Task HelpWorksOnEveryCommand(string command)
    {
        var run = await CliRun.RunAsync(command, "--help");
        var shortForm = await CliRun.RunAsync(command, "--db-dir", "x", "-h");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.StartWith($"usage: tcdb {command}"));
        Assert.That((shortForm.ExitCode, shortForm.Out), Is.EqualTo((ExitCodes.Ok, run.Out)));
    }

    [Test]
    public async Task UsageErrorIsOneLineWithAHintNotTheWholeHelp()
    {
        var run = await CliRun.RunAsync("check", "--no-such-option");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(run.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), run.ToString);
        Assert.That(run.Error, Does.StartWith("tcdb check: unknown option --no-such-option (known: ").And.Contain("; see tcdb help check"));
        Assert.That(run.Error + run.Out, Does.Not.Contain("usage:"));
    }

    [Test]
    public async Task UnknownCommandIsOneLineWithAHint()
    {
        var run = await CliRun.RunAsync("verfiy");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput));
        Assert.That(run.Error.TrimEnd(), Is.EqualTo("tcdb: unknown command 'verfiy'; tcdb help lists the commands"));
    }

    [TestCase("verify", "--admin-db-url")]
    [TestCase("upgrade", "--admin-db-url")]
    [TestCase("status", "--role-prefix")]
    public async Task EmptyOptionValueNamesTheOption(string command, string option)
    {
        var run = await CliRun.RunAsync(command, option, "");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.StartWith($"tcdb {command}: option {option} is given an empty value"));
    }

    [Test]
    public void EmptyUrlFromTheEnvironmentIsAFormatErrorNotACrash()
    {
        var error = Assert.Throws<FormatException>(() => Tcdb.Servers.ConnectionStrings.Normalize("  "))!;

        Assert.That(error.Message, Does.Contain("empty"));
    }

    [TestCase("postgresql://u:pw@127.0.0.1:1/x?sslmode=bogus", "parameter sslmode=bogus is not understood")]
    [TestCase("postgresql://u:pw@127.0.0.1:1/x?nosuchkey=1", "parameter nosuchkey=1 is not understood")]
    [TestCase("postgresql://[bad", "malformed PostgreSQL URL")]
    public async Task BadUrlIsAFormatErrorWithoutThePassword(string url, string message)
    {
        using var dir = new DbDirectoryBuilder();

        var run = await CliRun.RunAsync("status", "--db-dir", dir.Path, "--admin-db-url", url, "--role-prefix", "p");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain(message).And.Not.Contain(":pw@"));
    }

    [TestCase("verify", "out.xml")]
    [TestCase("mutate", "out.md")]
    [TestCase("cost", "out.md")]
    public async Task ReportPathThatIsADirectoryFailsBeforeAnyWork(string command, string name)
    {
        using var dir = new DbDirectoryBuilder();
        var directory = Path.Combine(Path.GetDirectoryName(dir.Path)!, name);
        Directory.CreateDirectory(directory);

        var run = await CliRun.RunAsync(command, "--db-dir", dir.Path, "--admin-db-url", Unreachable, "--report", directory);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.StartWith($"tcdb {command}: --report {directory} is a directory"));
        Assert.That(run.Error, Does.Not.Contain("cannot connect"), "checked before the server is contacted");
    }

    [Test]
    public async Task UnwritableReportPathFailsBeforeAnyWork()
    {
        using var dir = new DbDirectoryBuilder();
        var blocker = Path.Combine(Path.GetDirectoryName(dir.Path)!, "a-file");
        File.WriteAllText(blocker, "not a directory");
        var report = Path.Combine(blocker, "r.json");

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", Unreachable, "--report", report);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.StartWith($"tcdb verify: --report {report} cannot be written"));
    }

    [Test]
    public async Task DocsOutputInAMissingDirectoryFailsWithoutWriting()
    {
        using var dir = new DbDirectoryBuilder();
        var output = Path.Combine(Path.GetDirectoryName(dir.Path)!, "no", "such", "dir", "fns.md");

        var run = await CliRun.RunAsync("docs", "--db-dir", dir.Path, "--output", output);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.StartWith($"tcdb docs: --output {output}: the directory {Path.GetDirectoryName(output)} does not exist"));
    }

    [Test]
    public async Task DocsOutputInAnExistingDirectoryIsWritten()
    {
        using var dir = new DbDirectoryBuilder();
        var output = Path.Combine(Path.GetDirectoryName(dir.Path)!, "fns.md");

        var run = await CliRun.RunAsync("docs", "--db-dir", dir.Path, "--output", output);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(File.ReadAllText(output), Does.Contain("get_thing"));
    }

    [Test]
    public async Task VerifyOfAGrantOfATableMissingFromTablesYmlIsALoadErrorNamingTheLine()
    {
        using var dir = new DbDirectoryBuilder().Access(DbDirectoryBuilder.BaseAccess + "\n    widgets: read");

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", Unreachable);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain($"{Path.Join(dir.Path, "access.yml")}:4:5: access.yml: service svc: table widgets is not in tables.yml"));
    }

    [Test]
    public async Task UnclosedBracketInAVersionFileIsALoadErrorNotAnInternalError()
    {
        using var dir = new DbDirectoryBuilder().Version(2, "version: 2\ndescription: [unclosed\nmethods: {}");

        var run = await CliRun.RunAsync("check", "--db-dir", dir.Path);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("0002.yml:2:14: invalid YAML: the [ opened here is never closed"));
    }

    [Test]
    public async Task UninstallableMajorNamesWhatWasSearched()
    {
        using var dir = new DbDirectoryBuilder();

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--pg", "99");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.StartWith("tcdb verify: PostgreSQL 99 server binaries (initdb, pg_ctl, postgres) were not found. Searched:")
            .And.Contain("/usr/lib/postgresql/99/bin"));
    }

    [Test]
    public async Task CleanWithoutAServerRemovesOnlyDeadClusters()
    {
        var run = await CliRun.RunAsync("clean");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.Match(@"^tcdb clean: removed \d+ throwaway cluster\(s\) of runs that are gone from "));
    }

    [TestCase("5s", 5000)]
    [TestCase("250ms", 250)]
    [TestCase("2min", 120000)]
    [TestCase("1.5", 1500)]
    public void DurationsParse(string text, int milliseconds)
    {
        var args = CliArgs.Parse(["--lock-timeout", text], new HashSet<string> { "lock-timeout" }, new HashSet<string>());

        Assert.That(args.GetDuration("lock-timeout"), Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("0s")]
    [TestCase("5 sec")]
    [TestCase("soon")]
    public void BadDurationsAreUsageErrors(string text)
    {
        var args = CliArgs.Parse(["--lock-timeout", text], new HashSet<string> { "lock-timeout" }, new HashSet<string>());

        var error = Assert.Throws<UsageException>(() => args.GetDuration("lock-timeout"))!;
        Assert.That(error.Message, Is.EqualTo($"option --lock-timeout must be a positive duration such as 5s, 500ms, 2min or 1h, not '{text}'"));
    }
}
