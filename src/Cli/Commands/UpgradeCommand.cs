using System.Diagnostics;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb upgrade [--to N]</c>: applies versions, then checks grants and columns at the latest version.</summary>
public sealed class UpgradeCommand : ICommand
{
    public string Name => "upgrade";

    public string Summary => "upgrade a database to the latest version (or --to N), then check grants and columns";

    public string Usage => $"""
        usage: tcdb upgrade [--to N] [--admin-db-url URL] [--db-dir DIR] [--role-prefix P]
                            [--lock-timeout T] [--statement-timeout T] [--verbose]

        Finishes the current version's online migration, applies each later version in its own transaction
        (its online migration right after), creates missing service roles and grants them usage on the schema
        and select on tcversion. At the latest version the grants of every <P>_* role are compared with
        access.yml and the columns with tables.yml; any difference is printed and the exit code is 1.
        Never downgrades. Exit codes: 0 ok, 1 a version failed or drift found, 2 unusable input (also a
        --to below the database's version: nothing is done).

          --to N               stop at version N (no checks unless N is the latest)
        {DatabaseOptions.Help}
        {DatabaseOptions.TimeoutHelp}
          --verbose            also print each step (scripts, every method defined)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(DatabaseOptions.ChangeNames);

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "verbose" };

    public Task<int> RunAsync(CliArgs args, CliContext context) => DatabaseOptions.RunAsync(Name, context, async () =>
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var to = args.GetInt("to");
        var options = await DatabaseOptions.ResolveAsync(args, context.CancellationToken);
        options.CheckTarget(to);
        await using var migrator = options.Migrator(context, args.Has("verbose"), args);
        if (to is { } target && await migrator.CurrentVersionAsync(context.CancellationToken) is var current && current > target)
        {
            context.Error.WriteLine(
                $"tcdb upgrade: nothing done: the database is at version {current}, above --to {target}, and upgrade never downgrades; to go down run tcdb downgrade --to {target}");
            return ExitCodes.UnusableInput;
        }

        var clock = Stopwatch.StartNew();
        var result = await migrator.UpgradeAsync(to, context.CancellationToken);
        context.Out.WriteLine($"database at version {result.ToVersion} (was {result.FromVersion}); {clock.Elapsed.TotalSeconds:0.00} s");
        if (result.Findings.Count > 0)
        {
            context.Out.WriteLine($"{result.Findings.Count} difference(s) from access.yml and tables.yml:");
            DatabaseOptions.PrintFindings(context, result.Findings);
            return ExitCodes.Findings;
        }

        context.Out.WriteLine(result.Checked ? "grants and columns match access.yml and tables.yml" : "checks skipped: not at the latest version");
        return ExitCodes.Ok;
    });
}
