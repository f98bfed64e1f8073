using Tcdb.Authoring;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb new-version</c>: create the next version file and its version test.</summary>
public sealed class NewVersionCommand : ICommand
{
    public string Name => "new-version";

    public string Summary => "create the next versions/NNNN.yml and its version test";

    public string Usage => """
        usage: tcdb new-version [--db-dir DIR] [--tests-dir DIR]

        Creates versions/NNNN.yml for the next version (every key, a commented example method; it loads as it is)
        and VNNNNTest.cs, a test on the version-test fixture whose checks fail with "fill me in" until written.

          --db-dir DIR      the db directory (default ./db)
          --tests-dir DIR   the version tests (default tests/versions next to the db directory's parent)

        exit codes: 0 created, 2 a file exists already, the db directory is missing, or bad arguments
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "db-dir", "tests-dir" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var dbDirectory = args.Get("db-dir", "db");
        var testsDirectory = args.Get("tests-dir") ?? VersionFiles.DefaultTestsDirectory(dbDirectory);
        try
        {
            var created = VersionScaffold.Create(dbDirectory, testsDirectory);
            context.Out.WriteLine($"created {created.VersionFile}");
            context.Out.WriteLine($"created {created.TestFile}");
            context.Out.WriteLine($"tcdb new-version: version {created.Version}: describe it, write its scripts and methods, update tables.yml and access.yml, fill in the test; then tcdb check");
            return Task.FromResult(ExitCodes.Ok);
        }
        catch (AuthoringException e)
        {
            context.Error.WriteLine($"tcdb new-version: {e.Message}");
            return Task.FromResult(ExitCodes.UnusableInput);
        }
    }
}
