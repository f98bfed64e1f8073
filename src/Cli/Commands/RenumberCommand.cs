using System.Globalization;
using Tcdb.Authoring;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb renumber OLD NEW</c>: move a version (its file, external SQL files, test, references) to another number.</summary>
public sealed class RenumberCommand : ICommand
{
    public string Name => "renumber";

    public string Summary => "move a version to another number (file, SQL files, test, references)";

    public string Usage => """
        usage: tcdb renumber OLD NEW [--db-dir DIR] [--tests-dir DIR] [--dry-run]

        Renames versions/OLD.yml to NEW.yml and rewrites its version: value; renames the external SQL files of the
        version (referenced by it and named after its padded number, e.g. 0007-migration.sql) and rewrites every
        reference to them; renames the version test (VOLDTest.cs) and rewrites its class name and VersionTest(OLD);
        regenerates fns.md when the directory has one. Refuses, changing nothing, when NEW exists, when the result
        would leave a gap in 1..N, or when the result would not load.

          --db-dir DIR      the db directory (default ./db)
          --tests-dir DIR   the version tests (default tests/versions next to the db directory's parent)
          --dry-run         print the changes without making them

        exit codes: 0 renumbered, 2 refused (nothing changed) or bad arguments
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "db-dir", "tests-dir" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "dry-run" };

    public Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count != 2)
        {
            throw new UsageException($"expected OLD and NEW version numbers, got {args.Positional.Count} argument(s)");
        }

        var from = ParseVersion(args.Positional[0], "OLD");
        var to = ParseVersion(args.Positional[1], "NEW");
        var dbDirectory = args.Get("db-dir", "db");
        var testsDirectory = args.Get("tests-dir") ?? VersionFiles.DefaultTestsDirectory(dbDirectory);
        try
        {
            var plan = VersionRenumbering.Plan(dbDirectory, testsDirectory, from, to);
            if (!args.Has("dry-run"))
            {
                plan.Apply();
            }

            foreach (var change in plan.Changes)
            {
                context.Out.WriteLine(change.ToString());
            }

            context.Out.WriteLine(args.Has("dry-run")
                ? $"tcdb renumber: would move version {from} to {to} ({plan.Changes.Count} changes; nothing written)"
                : $"tcdb renumber: version {from} is now version {to}; run tcdb check to confirm");
            return Task.FromResult(ExitCodes.Ok);
        }
        catch (AuthoringException e)
        {
            context.Error.WriteLine($"tcdb renumber: {e.Message}");
            return Task.FromResult(ExitCodes.UnusableInput);
        }
    }

    private static int ParseVersion(string text, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw new UsageException($"{what} must be a version number (1, 2, ...), not '{text}'");
}
