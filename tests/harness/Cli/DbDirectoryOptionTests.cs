using Tcdb.Cli;
using Tcdb.Harness.Tests.Schema;
using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Cli;

/// <summary>
/// Every command reads <c>--db-dir</c> the same way: a db directory or a schema .json file, and what cannot be
/// loaded is one header naming the path and the count, one line per error, and exit 2.
/// </summary>
[TestFixture]
public sealed class DbDirectoryOptionTests
{
    private const string Unreachable = "postgresql://nobody:secret@127.0.0.1:1/x";

    /// <summary>Each command that reads a schema, with the options it needs to get as far as loading it.</summary>
    public static IEnumerable<TestCaseData> Commands()
    {
        yield return new TestCaseData("check", Array.Empty<string>());
        yield return new TestCaseData("verify", Array.Empty<string>());
        yield return new TestCaseData("cost", Array.Empty<string>());
        yield return new TestCaseData("docs", Array.Empty<string>());
        yield return new TestCaseData("upgrade", new[] { "--admin-db-url", Unreachable, "--role-prefix", "p" });
        yield return new TestCaseData("downgrade", new[] { "--admin-db-url", Unreachable, "--role-prefix", "p", "--to", "0" });
        yield return new TestCaseData("status", new[] { "--admin-db-url", Unreachable, "--role-prefix", "p" });
    }

    [TestCaseSource(nameof(Commands))]
    public async Task A_missing_directory_is_one_message_and_exit_2(string command, string[] options)
    {
        var missing = Path.Combine(TestDirectories.Root, "no-such-directory");
        var run = await CliRun.RunAsync([command, "--db-dir", missing, .. options]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        var lines = run.Error.TrimEnd().Split('\n');
        Assert.That(lines[0], Is.EqualTo($"tcdb {command}: {missing} cannot be loaded (1 error):"), run.ToString);
        Assert.That(lines[1..], Has.Length.EqualTo(1).And.All.Contain(missing), run.ToString);
    }

    [TestCaseSource(nameof(Commands))]
    public async Task A_directory_with_errors_names_each_of_them(string command, string[] options)
    {
        var broken = TestDirectories.Broken("access-missing");
        var expected = Assert.Throws<SchemaLoadException>(() => SchemaLoader.Load(broken))!.Errors;
        var run = await CliRun.RunAsync([command, "--db-dir", broken, .. options]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error.TrimEnd().Split('\n'), Is.EqualTo(new[] { $"tcdb {command}: {broken} cannot be loaded ({Count(expected.Count)}):" }.Concat(expected.Select(e => e.ToString()))), run.ToString);
    }

    [TestCaseSource(nameof(Commands))]
    public async Task A_broken_schema_file_is_the_same_message(string command, string[] options)
    {
        var file = Path.Combine(Path.GetTempPath(), $"tcdb-broken-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{ \"versions\": ");
        try
        {
            var run = await CliRun.RunAsync([command, "--db-dir", file, .. options]);

            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
            Assert.That(run.Error, Does.StartWith(command == "docs"
                ? $"tcdb docs: --db-dir {file}: this command works on the files of a db directory, not on a serialized schema"
                : $"tcdb {command}: {file} cannot be loaded (1 error):"), run.ToString);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("check")]
    [TestCase("verify")]
    [TestCase("cost")]
    public async Task A_schema_file_loads_like_its_directory(string command)
    {
        var file = Path.Combine(Path.GetTempPath(), $"tcdb-schema-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, SchemaJson.Write(SchemaLoader.Load(TestDirectories.Valid("simple"))));
        try
        {
            // A version range the directory does not have stops the command right after loading: it loaded.
            var run = await CliRun.RunAsync(command == "check" ? [command, "--db-dir", file] : [command, "--db-dir", file, "--versions", "99"]);

            Assert.That(run.Error, Does.Not.Contain("cannot be loaded"), run.ToString);
            Assert.That(command == "check" ? run.Out : run.Error, Does.Contain(command == "check" ? $"tcdb check: {file}: " : $"tcdb {command}: --versions 99: the directory has versions 1.."), run.ToString);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task A_directory_named_like_a_schema_file_is_a_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"tcdb-dir-{Guid.NewGuid():N}.json");
        CopyDirectory(TestDirectories.Valid("simple"), directory);
        try
        {
            var run = await CliRun.RunAsync("check", "--db-dir", directory);

            Assert.That(run.Out, Does.Contain($"tcdb check: {directory}: "), run.ToString);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Count(int n) => n == 1 ? "1 error" : $"{n} errors";

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
