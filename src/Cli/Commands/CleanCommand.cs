using Tcdb.Servers;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb clean</c>: removes what killed runs left behind (throwaway clusters; databases and roles on a server).</summary>
public sealed class CleanCommand : ICommand
{
    public string Name => "clean";

    public string Summary => "remove what killed tcdb runs left behind: throwaway clusters, databases and roles on a server";

    public string Usage => $"""
        usage: tcdb clean [--admin-db-url URL]

        Every database and role tcdb creates carries a comment naming its run (host, pid, start time), and the
        run holds a lock on the server while it lasts. This removes the throwaway clusters of runs that are
        gone (from {ThrowawayCluster.ClustersRoot}) and, with a server URL, drops the databases and roles of
        runs that are gone there; objects of running runs, and objects tcdb did not make, are never touched.
        tcdb verify and the tests do the same on every start; this command is for a server nothing runs on.

          --admin-db-url URL   a superuser URL of the server to clean (default: $TEST_DB_URL; none: clusters only)

        exit codes: 0 cleaned (or nothing to clean), 1 something could not be dropped, 2 unusable input
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "admin-db-url" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string>();

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var clusters = await ThrowawayCluster.RemoveStaleClustersAsync(context.CancellationToken);
        context.Out.WriteLine($"tcdb clean: removed {clusters} throwaway cluster(s) of runs that are gone from {ThrowawayCluster.ClustersRoot}");
        var url = args.Get("admin-db-url") ?? Environment.GetEnvironmentVariable(PostgresServers.TestDbUrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            return ExitCodes.Ok;
        }

        await using var server = await ExternalServer.ConnectAsync(url, cancellationToken: context.CancellationToken);
        var cleanup = server.RemovedLeftovers!;
        var name = ConnectionStrings.Redact(server.AdminConnectionString);
        foreach (var line in cleanup.Lines(name))
        {
            context.Out.WriteLine($"tcdb clean: {line}");
        }

        if (cleanup.IsEmpty)
        {
            context.Out.WriteLine($"tcdb clean: no database or role of a run that is gone on {name}");
        }

        return cleanup.Kept.Count > 0 ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
