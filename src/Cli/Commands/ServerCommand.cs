using Tcdb.Servers;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb server</c>: runs a throwaway cluster until interrupted, for manual work against a real server.</summary>
public sealed class ServerCommand : ICommand
{
    public string Name => "server";

    public string Summary => "start a throwaway PostgreSQL cluster and keep it running until Ctrl-C";

    public string Usage => """
        usage: tcdb server [--pg MAJOR]

        Starts a private PostgreSQL cluster (initdb in a temporary folder, fsync off, loopback only,
        trust authentication for the superuser postgres), prints its admin URL, and stops and deletes it
        on Ctrl-C. Binaries are searched as for tests: $TCDB_PG<major>_BIN, the run-tests.sh cache, then
        /usr/lib/postgresql/<major>/bin. When run as root the server runs as an unprivileged user.

          --pg MAJOR   PostgreSQL major version (default: $PG_VERSION or 15)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "pg" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string>();

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var major = args.GetInt("pg") ?? PostgresServers.MajorFromEnvironment();
        await using var cluster = await ThrowawayCluster.StartAsync(major, context.CancellationToken);
        context.Out.WriteLine($"started {cluster.Description}");
        context.Out.WriteLine($"admin url: {ConnectionStrings.ToUrl(cluster.AdminConnectionString)}");
        context.Out.Flush();
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            context.Out.WriteLine("stopping");
        }

        return ExitCodes.Ok;
    }
}
