using System.Text.RegularExpressions;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Mutation;

/// <summary>A mutation run cannot start: what is wrong and what to do (the CLI exits 2).</summary>
public sealed class MutationSetupException(string message) : Exception(message);

/// <summary>
/// The version tests of an NUnit project (<c>tcdb mutate --tests PROJECT</c>): the project is built once; for
/// each db directory to test, a copy of it is written to a temporary folder (the mutated version as one file)
/// and <c>dotnet test --no-build --filter FullyQualifiedName~VNNNNTest</c> runs with <c>TCDB_DB_DIR</c>
/// naming that copy (the fixtures' db directory) and <c>TEST_DB_URL</c> the run's server.
/// </summary>
public sealed partial class DotnetVersionTests(string project, TimeSpan testTimeout) : IVersionTestRunner
{
    /// <summary>The variable the fixtures read the db directory from (see <c>Tcdb.Testing.DbDirectories</c>).</summary>
    public const string DbDirectoryVariable = "TCDB_DB_DIR";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    public string Description => $"dotnet test {project}";

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(project) && !Directory.Exists(project))
        {
            throw new MutationSetupException($"--tests {project}: no such project file or directory; name the NUnit project holding the version tests (e.g. tests/versions)");
        }

        var build = await ProcessRunner.RunAsync("dotnet", ["build", project, "-c", "Release", "-nologo", "-v:quiet", "-clp:ErrorsOnly"], timeout: BuildTimeout, cancellationToken: cancellationToken);
        if (build.ExitCode != 0)
        {
            throw new MutationSetupException($"--tests {project}: dotnet build failed (exit {build.ExitCode}): {Tail(build.CombinedOutput, 15)}");
        }
    }

    public async Task<VersionTestOutcome> RunAsync(DbSchema schema, int version, string serverUrl, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "tcdb-mutant-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var directory = MutantDirectory.Write(schema, version, Path.Combine(root, "db"));
            var filter = $"FullyQualifiedName~V{version:D4}Test";
            var run = await ProcessRunner.RunAsync(
                "dotnet",
                ["test", project, "-c", "Release", "--no-build", "-nologo", "--filter", filter],
                new Dictionary<string, string> { [DbDirectoryVariable] = directory, ["TEST_DB_URL"] = serverUrl },
                timeout: testTimeout,
                cancellationToken: cancellationToken);
            return Outcome(run, filter);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    /// <summary>What a <c>dotnet test</c> run said: no matching test, passed, or failed with the first failure's message.</summary>
    internal static VersionTestOutcome Outcome(ProcessResult run, string filter)
    {
        var output = run.CombinedOutput;
        if (output.Contains("No test matches the given testcase filter", StringComparison.Ordinal))
        {
            return new VersionTestOutcome(VersionTestVerdict.NoTest, $"no test matches {filter}");
        }

        var summary = Summary().Match(output);
        if (run.ExitCode == 0 && summary.Success && summary.Groups["failed"].Value == "0")
        {
            return new VersionTestOutcome(VersionTestVerdict.Passed, $"{summary.Groups["passed"].Value} test(s) passed");
        }

        if (summary.Success && summary.Groups["failed"].Value != "0")
        {
            var message = ErrorMessage().Match(output);
            var detail = message.Success ? string.Join(' ', message.Groups["message"].Value.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries)) : Tail(output, 5);
            return new VersionTestOutcome(VersionTestVerdict.Failed, detail.Length <= 600 ? detail : detail[..597] + "...");
        }

        throw new MutationSetupException($"dotnet test {filter} did not run (exit {run.ExitCode}): {Tail(output, 15)}");
    }

    private static string Tail(string text, int lines) =>
        string.Join(Environment.NewLine, text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(lines));

    [GeneratedRegex(@"(?:Passed|Failed)!\s+-\s+Failed:\s+(?<failed>\d+),\s+Passed:\s+(?<passed>\d+)")]
    private static partial Regex Summary();

    [GeneratedRegex(@"Error Message:\s*\n(?<message>[\s\S]*?)(?:\n\s*Stack Trace:|\n\s*Failed |\z)")]
    private static partial Regex ErrorMessage();
}

/// <summary>A db directory written to disk with one version replaced: what a mutant looks like to a test that loads a directory.</summary>
public static class MutantDirectory
{
    /// <summary>
    /// Copies <paramref name="schema"/>'s directory to <paramref name="target"/> and writes version
    /// <paramref name="version"/> of <paramref name="schema"/> as <c>versions/NNNN.yml</c> (scripts and bodies
    /// inline); returns <paramref name="target"/>. The copy is loaded back to prove it holds exactly that version.
    /// </summary>
    public static string Write(DbSchema schema, int version, string target)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Directory is not { } source)
        {
            throw new MutationSetupException("the schema was not loaded from a directory, so its version tests cannot be given a mutated copy of it");
        }

        Copy(source, target);
        var entry = schema.GetVersion(version);
        File.WriteAllText(Path.Combine(target, "versions", $"{version:D4}.yml"), SchemaJson.WriteVersion(entry));
        var loaded = SchemaLoader.Load(target).GetVersion(version);
        if (!loaded.Equals(entry))
        {
            throw new InvalidOperationException($"the copy of version {version} written to {target} does not load as the version it was written from");
        }

        return target;
    }

    private static void Copy(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            Copy(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }
}
