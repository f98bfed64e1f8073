using System.Text.Json;
using System.Xml.Linq;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Schema;
using Tcdb.Harness.Tests.Verification;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Cli;

[TestFixture]
public sealed class VerifyCommandTests
{
    [Test]
    public async Task SoundDirectoryExitsZeroAndWritesEveryReportFormat()
    {
        using var dir = new DbDirectoryBuilder();
        var reports = Path.Combine(Path.GetDirectoryName(dir.Path)!, "reports");
        var url = await ServerUrlAsync();

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", url, "--report", Path.Combine(reports, "r.json"));
        await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", url, "--report", Path.Combine(reports, "r.md"));
        await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", url, "--report", Path.Combine(reports, "r.xml"));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.Contain("v0001 ok in "));
        Assert.That(run.Out, Does.Contain("passed: 1 version(s) verified, 0 defect(s)"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(reports, "r.json")));
        Assert.That(json.RootElement.GetProperty("defects").GetInt32(), Is.Zero);
        Assert.That(json.RootElement.GetProperty("results")[0].GetProperty("version").GetInt32(), Is.EqualTo(1));
        Assert.That(File.ReadAllText(Path.Combine(reports, "r.md")), Does.Contain("**passed**: versions 1..1"));
        var junit = XDocument.Load(Path.Combine(reports, "r.xml")).Root!.Element("testsuite")!;
        Assert.That((junit.Attribute("failures")!.Value, junit.Elements("testcase").Any(c => c.Attribute("name")!.Value == "v0001")), Is.EqualTo(("0", true)));
    }

    [Test]
    public async Task DefectExitsOneWithOneLineNamingVersionAndObject()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, "begin\n  create index things_size_idx on things (size);\nend", "begin\nend");
        var xml = Path.Combine(Path.GetDirectoryName(dir.Path)!, "junit.xml");

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", await ServerUrlAsync(), "--jobs", "1", "--report", xml);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Out.Split('\n'), Has.Some.StartsWith("v0002 defect stray-object: + index public.things_size_idx (after downgrade to 1)"));
        Assert.That(run.Out, Does.Contain("FAILED: 2 version(s) verified"));
        var failed = XDocument.Load(xml).Descendants("testcase").Single(c => c.Attribute("name")!.Value == "v0002");
        Assert.That(failed.Element("failure")!.Value, Does.Contain("+ index public.things_size_idx"));
    }

    [Test]
    public async Task WrittenAcceptedFindingsKeepCiGreenOnceEachHasAReason()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2, "begin\n  create index things_size_idx on things (size);\nend", "begin\nend");
        var url = await ServerUrlAsync();
        var written = Path.Combine(Path.GetDirectoryName(dir.Path)!, "accepted.yml");

        var first = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", url, "--jobs", "1", "--write-accepted", written);
        Assert.That(first.ExitCode, Is.EqualTo(ExitCodes.Findings), first.ToString);
        var text = File.ReadAllText(written);
        Assert.That(text, Does.Contain("  version: 2\n  kind: stray-object\n  object: \"index public.things_size_idx\"\n  reason: \"\""));

        // Copied into the directory with empty reasons, the file refuses to load.
        var inDirectory = Path.Combine(dir.Path, "accepted-findings.yml");
        File.WriteAllText(inDirectory, text);
        var refused = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", url);
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), refused.ToString);
        Assert.That(refused.Error, Does.Contain("accepted-findings.yml:6:11: accepted-findings.yml: the entry for version 2, stray-object index public.things_size_idx has no reason"));
        Assert.That(refused.Error, Does.Contain("accepted-findings.yml:11:11: accepted-findings.yml: the entry for version 2, reupgrade-failed version 2 has no reason"), "the re-upgrade cannot create the index again");

        File.WriteAllText(inDirectory, text.Replace("reason: \"\"", "reason: \"released in v1.0.0; version 3 drops the index\"", StringComparison.Ordinal));
        var accepted = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", url);
        Assert.That(accepted.ExitCode, Is.EqualTo(ExitCodes.Ok), accepted.ToString);
        Assert.That(accepted.Out.Split('\n'), Has.Some.StartsWith("v0002 accepted stray-object: + index public.things_size_idx (after downgrade to 1) [accepted: released in v1.0.0; version 3 drops the index]"));
        Assert.That(accepted.Out, Does.Contain("passed: 2 version(s) verified, 0 defect(s), 0 warning(s), 2 accepted"));
    }

    [Test]
    public async Task AVersionThatTakesTooLongIsCancelledAndTheRunGoesOn()
    {
        using var dir = new DbDirectoryBuilder()
            // Slow only with rows: the chain's empty database passes, the seeded check times out.
            .ScriptVersion(2, "begin\n  perform pg_sleep(30) from things;\nend", "begin\nend")
            .ScriptVersion(3, "begin\n  create index things_size_idx on things (size);\nend", "begin\n  drop index things_size_idx;\nend");

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", await ServerUrlAsync(), "--jobs", "1", "--version-timeout", "2s");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Out.Split('\n'), Has.Some.StartsWith("v0002 defect version-timeout: verifying version 2 did not finish within 2 s (the version timeout); it was cancelled during upgrade"));
        Assert.That(run.Out, Does.Contain("v0003 ok in "), "the next version is verified");
    }

    [Test]
    public async Task CostMeasuredAlongTheVerificationFailsAVersionOverBudget()
    {
        var run = await CliRun.RunAsync(
            "verify", "--db-dir", TestDirectories.Cost("online-rescan"), "--admin-db-url", await ServerUrlAsync(), "--jobs", "1",
            "--cost", "--scales", "2000");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Out, Does.Contain("cost: measuring locks, rewrites, scans and online batches of each version"));
        Assert.That(run.Out.Split('\n'), Has.Some.StartsWith("v0002 defect cost: defect: online migration: each batch costs more than the one before"));
    }

    [Test]
    public async Task AnUnwritableWriteAcceptedPathIsRefusedBeforeAnyWork()
    {
        using var dir = new DbDirectoryBuilder();
        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", "postgresql://nobody@127.0.0.1:1/x", "--write-accepted", dir.Path);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("--write-accepted"));
        Assert.That(run.Error, Does.Not.Contain("cannot connect"), "refused before the server is reached");
    }

    [Test]
    public async Task ACostOptionWithoutCostIsAUsageError()
    {
        using var dir = new DbDirectoryBuilder();
        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", "postgresql://nobody@127.0.0.1:1/x", "--budget", "10s");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("--budget measures costs: add --cost"));
    }

    [TestCase("0s")]
    [TestCase("ten minutes")]
    public async Task ABadVersionTimeoutIsAUsageError(string value)
    {
        using var dir = new DbDirectoryBuilder();
        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", "postgresql://nobody@127.0.0.1:1/x", "--version-timeout", value);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain($"option --version-timeout must be a positive duration such as 5s, 500ms, 2min or 1h, not '{value}'"));
    }

    [Test]
    public async Task UnloadableDirectoryExitsTwoNamingTheFile()
    {
        using var dir = new DbDirectoryBuilder().Version(2, "version: 3\nmethods: {}");

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", "postgresql://nobody@127.0.0.1:1/x");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("0002.yml"));
        Assert.That(run.Error, Does.Not.Contain("   at "), "no stack trace");
    }

    [TestCase("--versions", "3..9", "--versions 3..9: the directory has versions 1..1")]
    [TestCase("--report", "out.html", "the extension chooses the format: .json, .md or .xml (JUnit)")]
    [TestCase("--jobs", "0", "--jobs must be at least 1")]
    public async Task BadArgumentsExitTwo(string option, string value, string message)
    {
        using var dir = new DbDirectoryBuilder();

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, option, value, "--admin-db-url", "postgresql://nobody@127.0.0.1:1/x");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain(message));
    }

    [Test]
    public async Task UnreachableServerExitsTwo()
    {
        using var dir = new DbDirectoryBuilder();

        var run = await CliRun.RunAsync("verify", "--db-dir", dir.Path, "--admin-db-url", "postgresql://nobody:secret@127.0.0.1:1/x");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("cannot connect to PostgreSQL at"));
        Assert.That(run.Error, Does.Not.Contain("secret"));
    }

    private static async Task<string> ServerUrlAsync() => ConnectionStrings.ToUrl((await TestServer.GetAsync()).AdminConnectionString);
}
