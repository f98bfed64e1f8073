using System.Diagnostics;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb downgrade --to N</c>: reverts versions down to N.</summary>
public sealed class DowngradeCommand : ICommand
{
    public string Name => "downgrade";

    public string Summary => "downgrade a database to version N";

    public string Usage => $"""
        usage: tcdb downgrade --to N [--admin-db-url URL] [--db-dir DIR] [--role-prefix P]
                              [--lock-timeout T] [--statement-timeout T] [--verbose]

        Finishes a pending online downgrade, then reverts each version above N in its own transaction:
        downgrade script, methods restored to their previous definition (or dropped when new), online
        downgrade. No grant or column checks (access.yml and tables.yml describe the latest version).
        Exit codes: 0 ok, 1 a version failed, 2 unusable input.

          --to N               the version to end at (0 = empty database)
        {DatabaseOptions.Help}
        {DatabaseOptions.TimeoutHelp}
          --verbose            also print each step (scripts, every method restored)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(DatabaseOptions.ChangeNames);

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "verbose" };

    public Task<int> RunAsync(CliArgs args, CliContext context) => DatabaseOptions.RunAsync(Name, context, async () =>
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var to = args.GetInt("to") ?? throw new UsageException("--to N is required");
        var options = await DatabaseOptions.ResolveAsync(args, context.CancellationToken);
        options.CheckTarget(to);
        await using var migrator = options.Migrator(context, args.Has("verbose"), args);
        var clock = Stopwatch.StartNew();
        var from = (await migrator.DowngradeAsync(to, context.CancellationToken)).FromVersion;
        var now = await migrator.CurrentVersionAsync(context.CancellationToken);
        context.Out.WriteLine($"database at version {now} (was {from}); {clock.Elapsed.TotalSeconds:0.00} s");
        return ExitCodes.Ok;
    });
}
