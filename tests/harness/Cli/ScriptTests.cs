using Tcdb.Harness.Tests.Authoring;

namespace Tcdb.Harness.Tests.Cli;

/// <summary>The shell entry points (<c>./tcdb</c>, <c>./run-tests.sh</c>) report a major they cannot install and exit 2.</summary>
[TestFixture]
public sealed class ScriptTests
{
    private static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "run-tests.sh")) && File.Exists(Path.Combine(dir.FullName, "tcdb")))
                {
                    return dir.FullName;
                }
            }

            Assert.Ignore("not run from a checkout (no run-tests.sh above the test directory)");
            return string.Empty;
        }
    }

    [Test]
    public async Task UninstallableMajorIsAMessageAndExitTwoThroughTheWrapperAndTheTestScript()
    {
        var root = RepositoryRoot;

        var (wrapperExit, wrapperOutput) = await Processes.RunAsync(Path.Combine(root, "tcdb"), ["verify", "--pg", "99"], timeout: TimeSpan.FromMinutes(5));
        var (testsExit, testsOutput) = await Processes.RunAsync(Path.Combine(root, "run-tests.sh"), ["--pg", "99", "--setup-only"], timeout: TimeSpan.FromMinutes(5));

        Assert.That(wrapperExit, Is.EqualTo(2), wrapperOutput);
        Assert.That(wrapperOutput, Does.Contain("setup: error: cannot install PostgreSQL 99: tried /usr/lib/postgresql/99/bin")
            .And.Contain("tcdb: PostgreSQL 99 is not available (see above); use --pg with an installable major or --admin-db-url with your own server"));
        Assert.That(testsExit, Is.EqualTo(2), testsOutput);
        Assert.That(testsOutput, Does.Contain("setup: error: cannot install PostgreSQL 99"));
    }
}
