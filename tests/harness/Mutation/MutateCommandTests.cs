using System.Text.Json;
using System.Text.RegularExpressions;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Authoring;
using Tcdb.Harness.Tests.Cli;
using Tcdb.Harness.Tests.Verification;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Mutation;

/// <summary><c>tcdb mutate</c> end to end: exit codes, reports, and a generated NUnit project as <c>--tests</c>.</summary>
[TestFixture]
public sealed partial class MutateCommandTests
{
    /// <summary>Version 2 colours the big things; its method counts them. The generic shape catches neither a lost update nor a wrong count.</summary>
    private static DbDirectoryBuilder Directory() =>
        new DbDirectoryBuilder()
            .ScriptVersion(2,
                "begin\n  alter table things add column color text;\n  update things set color = 'big' where size > 10;\nend",
                "begin\n  alter table things drop column color;\nend",
                """
                methods:
                  count_big_things:
                    description: big things
                    mode: read
                    serviceName: svc
                    args: min_in integer
                    returns: integer
                    body: |-
                      begin
                        return (select count(*) from things where things.size > min_in and things.color = 'big');
                      end
                """)
            .Tables(DbDirectoryBuilder.BaseTables + "\n  color: text");

    [Test]
    public async Task SurvivorsArePrintedAndAScoreBelowTheMinimumExitsOne()
    {
        using var dir = Directory();
        var reports = Path.Combine(Path.GetDirectoryName(dir.Path)!, "reports");

        var run = await CliRun.RunAsync("mutate", "--db-dir", dir.Path, "--versions", "2", "--admin-db-url", await ServerUrlAsync(), "--jobs", "2",
            "--min-score", "50", "--report", Path.Combine(reports, "m.json"));
        var passing = await CliRun.RunAsync("mutate", "--db-dir", dir.Path, "--versions", "2", "--admin-db-url", await ServerUrlAsync(), "--report", Path.Combine(reports, "m.md"));

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Out, Does.Contain("tcdb mutate: " + dir.Path + ": versions 2..2 of 2, 6 mutant(s), 2 job(s)"));
        Assert.That(run.Out, Does.Contain("survived v0002-01 drop-statement (migration script, " + Path.Combine(dir.Path, "versions", "0002.yml") + ":6): removes the statement `update things set color = 'big' where size > 10;`"));
        Assert.That(run.Out, Does.Contain("v0002: score 16.7% (1 killed, 5 survived, 0 equivalent of 6)"));
        Assert.That(run.Out, Does.Contain("FAILED: mutation score 16.7% (1 killed, 5 survived, 0 equivalent discarded), minimum 50%"));
        Assert.That(passing.ExitCode, Is.EqualTo(ExitCodes.Ok), passing.ToString);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(reports, "m.json")));
        var mutants = json.RootElement.GetProperty("results")[0].GetProperty("mutants");
        Assert.That(json.RootElement.GetProperty("score").GetDouble(), Is.EqualTo(0.1667));
        Assert.That(mutants.EnumerateArray().Select(m => m.GetProperty("status").GetString()), Is.EqualTo(new[] { "survived", "survived", "killed", "survived", "survived", "survived" }));
        Assert.That(mutants[2].GetProperty("killedBy").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "fails-to-apply", "catalog-diff" }));
        Assert.That(File.ReadAllText(Path.Combine(reports, "m.md")), Does.Contain("## Survivors: mistakes nothing catches").And.Contain("```diff\n-   update things set color = 'big' where size > 10;\n```"));
    }

    [TestCase("--min-score", "101", "--min-score 101: a percentage, 0 to 100")]
    [TestCase("--report", "m.xml", "--report m.xml: the extension chooses the format: .json or .md")]
    [TestCase("--tests", "no/such/project", "--tests no/such/project: no such project file or directory")]
    [TestCase("--db-dir", "schema.json", "--db-dir schema.json: this command works on the files of a db directory, not on a serialized schema")]
    [TestCase("--versions", "3..4", "--versions 3..4: the directory has versions 1..1")]
    public async Task UnusableInputExitsTwoNamingTheOption(string option, string value, string message)
    {
        using var dir = new DbDirectoryBuilder();
        var args = new List<string> { "mutate", "--admin-db-url", "postgresql://nobody@127.0.0.1:1/none" };
        if (option != "--db-dir")
        {
            args.AddRange(["--db-dir", dir.Path]);
        }

        args.AddRange([option, value]);
        var run = await CliRun.RunAsync([.. args]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.StartWith("tcdb mutate: " + message));
    }

    /// <summary>
    /// <c>--tests</c> with a project generated here: its V0002Test asserts that the big things are coloured, so the
    /// mutant that drops the update dies by the version test and the ones the test does not look at survive.
    /// </summary>
    [Test]
    [CancelAfter(900_000)]
    public async Task TheVersionTestOfATestsProjectKillsWhatItAssertsAndNothingElse()
    {
        using var dir = Directory();
        var project = Path.Combine(Path.GetDirectoryName(dir.Path)!, "tests");
        WriteTestProject(project, """
            public sealed class V0002Test() : VersionTest(2)
            {
                protected override async Task AssertAfterUpgradeAsync(VersionContext db) =>
                    Assert.That(await db.ScalarAsync<long>("select count(*) from things where size > 10 and color is null"), Is.Zero);
            }
            """);

        var run = await CliRun.RunAsync("mutate", "--db-dir", dir.Path, "--versions", "2", "--admin-db-url", await ServerUrlAsync(), "--jobs", "2", "--tests", project);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.Contain("v0002-01 killed by version-test"), run.ToString);
        Assert.That(Survivors(run.Out), Is.EqualTo(new[] { "v0002-02", "v0002-04", "v0002-05", "v0002-06" }), run.ToString);
        Assert.That(run.Out, Does.Contain("v0002: score 33.3% (2 killed, 4 survived, 0 equivalent of 6)"));
    }

    [Test]
    public async Task ATestsProjectWithoutTheVersionsTestIsNotedAndUnused()
    {
        using var dir = Directory();
        var project = Path.Combine(Path.GetDirectoryName(dir.Path)!, "tests");
        WriteTestProject(project, "public sealed class V0001Test() : VersionTest(1);");

        var run = await CliRun.RunAsync("mutate", "--db-dir", dir.Path, "--versions", "2", "--admin-db-url", await ServerUrlAsync(), "--tests", project);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Ok), run.ToString);
        Assert.That(run.Out, Does.Contain($"v0002: score 16.7% (1 killed, 5 survived, 0 equivalent of 6); dotnet test {project} has no test of version 2: no test matches FullyQualifiedName~V0002Test"));
    }

    private static IEnumerable<string> Survivors(string output) => SurvivorLine().Matches(output).Select(m => m.Groups[1].Value);

    /// <summary>An NUnit project on the fixtures of this checkout (package versions from its Directory.Packages.props) holding <paramref name="tests"/>.</summary>
    private static void WriteTestProject(string directory, string tests)
    {
        var root = DocsTests.RepositoryRoot();
        var versions = PackageVersion().Matches(File.ReadAllText(Path.Combine(root, "Directory.Packages.props")))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["version"].Value);
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "Mutation.Tests.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <IsPackable>false</IsPackable>
                <IsTestProject>true</IsTestProject>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="{versions["Microsoft.NET.Test.Sdk"]}" />
                <PackageReference Include="NUnit" Version="{versions["NUnit"]}" />
                <PackageReference Include="NUnit3TestAdapter" Version="{versions["NUnit3TestAdapter"]}" />
              </ItemGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(root, "src", "Testing", "Testing.csproj")}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Tests.cs"), $$"""
            using NUnit.Framework;
            using Tcdb.Testing;
            using Tcdb.Verification;

            namespace Mutation.Tests;

            [SetUpFixture]
            public sealed class TestRun
            {
                [OneTimeTearDown]
                public async Task StopServer() => await TestServer.ShutdownAsync();
            }

            {{tests}}
            """);
    }

    private static async Task<string> ServerUrlAsync() => ConnectionStrings.ToUrl((await TestServer.GetAsync()).AdminConnectionString);

    [GeneratedRegex(@"^survived (v\d{4}-\d{2}) ", RegexOptions.Multiline)]
    private static partial Regex SurvivorLine();

    [GeneratedRegex(@"<PackageVersion Include=""(?<name>[^""]+)"" Version=""(?<version>[^""]+)""")]
    private static partial Regex PackageVersion();
}
