using System.IO.Compression;
using Tcdb.Harness.Tests.Schema;

namespace Tcdb.Harness.Tests.Authoring;

/// <summary>
/// The distribution path another repository uses: pack the library and the tool into a local feed, install the tool
/// from that feed alone (a nuget.config that clears every other source) into a temporary tool path, run it.
/// </summary>
[TestFixture]
[Category("Packaging")]
[NonParallelizable]
public sealed class PackagingTests
{
    [Test]
    [CancelAfter(240_000)]
    public async Task ThePackedToolInstallsFromALocalFeedAndChecksADbDirectory()
    {
        var root = DocsTests.RepositoryRoot();
        var work = Path.Join(Path.GetTempPath(), "tcdb-packaging-" + Guid.NewGuid().ToString("N"));
        var feed = Path.Join(work, "feed");
        try
        {
            Directory.CreateDirectory(feed);
            var configuration = Processes.BuildConfiguration;
            await Succeed(Processes.Dotnet, "pack", Path.Join(root, "src", "Cli"), "-c", configuration, "-o", feed, "-nologo");
            await Succeed(Processes.Dotnet, "pack", Path.Join(root, "src", "Harness"), "-c", configuration, "--no-build", "-o", feed, "-nologo");
            await Succeed(Processes.Dotnet, "pack", Path.Join(root, "src", "Testing"), "-c", configuration, "--no-build", "-o", feed, "-nologo");

            var engine = await NuspecAsync(feed, "Tcdb.Harness");
            Assert.That(engine, Does.Contain("<dependency id=\"Npgsql\"").And.Not.Contain("<dependency id=\"NUnit\""), "the engine does not bring a test framework");
            var fixtures = await NuspecAsync(feed, "Tcdb.Testing");
            Assert.That(fixtures, Does.Contain("<dependency id=\"NUnit\"").And.Contain("<dependency id=\"Tcdb.Harness\""), "the NUnit fixtures come with NUnit and the engine");

            var tool = Path.GetFileName(Directory.GetFiles(feed, "Tcdb.Cli.*.nupkg").Single());
            var version = tool["Tcdb.Cli.".Length..^".nupkg".Length];
            var config = Path.Join(work, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var toolPath = Path.Join(work, "tools");
            var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Join(work, "packages") };
            await Succeed(isolated, Processes.Dotnet, "tool", "install", "--tool-path", toolPath, "--configfile", config, "--add-source", feed, "Tcdb.Cli", "--version", version);

            var (exitCode, output) = await Processes.RunAsync(Path.Join(toolPath, "tcdb"), ["check", "--db-dir", TestDirectories.Valid("simple")]);

            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain(": 3 versions, 3 methods: 0 errors, 0 warnings"), output);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static Task Succeed(string program, params string[] arguments) => Succeed(null, program, arguments);

    private static async Task Succeed(IReadOnlyDictionary<string, string>? environment, string program, params string[] arguments)
    {
        var (exitCode, output) = await Processes.RunAsync(program, arguments, environment);
        Assert.That(exitCode, Is.Zero, output);
    }

    /// <summary>The nuspec of the one package <paramref name="id"/> in the feed, after checking it holds its assembly and docs.</summary>
    private static async Task<string> NuspecAsync(string feed, string id)
    {
        var path = Directory.GetFiles(feed, id + ".*.nupkg").Single(p => char.IsDigit(Path.GetFileName(p)[(id.Length + 1)..][0]));
        using var package = ZipFile.OpenRead(path);
        Assert.That(package.Entries.Select(e => e.FullName), Does.Contain($"lib/net10.0/{id}.dll").And.Contain($"lib/net10.0/{id}.xml"));
        using var nuspec = new StreamReader(package.GetEntry(id + ".nuspec")!.Open());
        return await nuspec.ReadToEndAsync();
    }
}
