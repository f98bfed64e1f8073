namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb status</c>: version, unfinished online work and drift, changing nothing.</summary>
public sealed class StatusCommand : ICommand
{
    public string Name => "status";

    public string Summary => "show a database's version, unfinished online migration and grant/column drift";

    public string Usage => $"""
        usage: tcdb status [--admin-db-url URL] [--db-dir DIR] [--role-prefix P]

        Prints the database version and the latest version of the db directory, an online migration or
        downgrade left unfinished by an interrupted run, and, when the database is at the latest version,
        every difference of grants from access.yml and of columns from tables.yml. Changes nothing.
        Exit codes: 0 clean, 1 unfinished online work or drift, 2 unusable input.

        {DatabaseOptions.Help}
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(DatabaseOptions.Names);

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CliContext context) => DatabaseOptions.RunAsync(Name, context, async () =>
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var options = await DatabaseOptions.ResolveAsync(args, context.CancellationToken);
        await using var migrator = options.Migrator(context, verbose: false);
        var version = await migrator.CurrentVersionAsync(context.CancellationToken);
        var latest = options.Schema.LatestVersion;
        context.Out.WriteLine($"database version: {version} (latest in the db directory: {latest})");
        var exit = ExitCodes.Ok;
        if (await migrator.UnfinishedOnlineStepAsync(context.CancellationToken) is { } unfinished)
        {
            context.Out.WriteLine(unfinished);
            exit = ExitCodes.Findings;
        }

        if (version != latest)
        {
            context.Out.WriteLine($"drift checks skipped: access.yml and tables.yml describe version {latest}");
            return exit;
        }

        var findings = await migrator.PostUpgradeChecksAsync(context.CancellationToken);
        if (findings.Count == 0)
        {
            context.Out.WriteLine("grants and columns match access.yml and tables.yml");
            return exit;
        }

        context.Out.WriteLine($"{findings.Count} difference(s) from access.yml and tables.yml:");
        DatabaseOptions.PrintFindings(context, findings);
        return ExitCodes.Findings;
    });
}
