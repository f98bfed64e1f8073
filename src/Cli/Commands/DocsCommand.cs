using System.Text;
using Tcdb.Authoring;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb docs</c>: generate the stored-function reference (fns.md), or check that the committed one is current.</summary>
public sealed class DocsCommand : ICommand
{
    public string Name => "docs";

    public string Summary => "generate db/fns.md, the stored-function reference (--check: fail when stale)";

    public string Usage => """
        usage: tcdb docs [--db-dir DIR] [--output FILE] [--check]

        Writes the reference of every stored function at the latest version, grouped by service (mode, arguments,
        return type, description, last defining version, body; deprecated methods listed apart).

          --db-dir DIR     the db directory (default ./db)
          --output FILE    where to write (default DIR/fns.md)
          --check          write nothing; exit 1 when FILE differs from what would be generated

        exit codes: 0 written (or up to date), 1 out of date (--check), 2 the directory cannot be loaded or bad arguments
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "db-dir", "output" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "check" };

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var dbDirectory = DbDirectoryOption.Source(args);
        var output = args.Get("output") ?? Path.Join(dbDirectory, FunctionDocs.FileName);
        var schema = DbDirectoryOption.Load(args, serializedAllowed: false);

        if (!args.Has("check"))
        {
            OutputFile.Check("--output", output, createDirectory: false);
        }

        if (args.Has("check"))
        {
            if (FunctionDocs.IsUpToDate(schema, output, out var problem))
            {
                context.Out.WriteLine($"tcdb docs: {output} is up to date");
                return ExitCodes.Ok;
            }

            context.Error.WriteLine(problem);
            context.Error.WriteLine($"tcdb docs: {output} is out of date; regenerate it with: {RegenerateCommand(dbDirectory, args.Get("output"))}");
            return ExitCodes.Findings;
        }

        await File.WriteAllTextAsync(output, FunctionDocs.Generate(schema), new UTF8Encoding(false), context.CancellationToken);
        context.Out.WriteLine($"tcdb docs: wrote {output} ({schema.EffectiveMethods().Count} methods at version {schema.LatestVersion})");
        return ExitCodes.Ok;
    }

    private static string RegenerateCommand(string dbDirectory, string? output)
    {
        var command = FunctionDocs.RegenerateCommand;
        if (dbDirectory != "db")
        {
            command += $" --db-dir {dbDirectory}";
        }

        return output is null ? command : command + $" --output {output}";
    }
}
