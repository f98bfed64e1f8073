using Tcdb.Servers;

namespace Tcdb.Cli.Commands;

/// <summary>
/// The server a command that creates its own databases runs on: <c>--admin-db-url URL</c> (yours; tcdb only
/// creates and drops its own databases there) or a throwaway cluster of <c>--pg MAJOR</c> (default $PG_VERSION or 15).
/// </summary>
internal static class ServerChoice
{
    public static void CheckOptions(CliArgs args)
    {
        if (args.Has("admin-db-url") && args.Has("pg"))
        {
            throw new UsageException("give either --admin-db-url or --pg, not both");
        }
    }

    /// <exception cref="ServerUnavailableException">the server cannot be reached or started.</exception>
    public static async Task<IPostgresServer> StartAsync(CliArgs args, CancellationToken cancellationToken) => args.Get("admin-db-url") is { } url
        ? await ExternalServer.ConnectAsync(url, cancellationToken)
        : await PostgresServers.StartThrowawayAsync(args.GetInt("pg") ?? PostgresServers.MajorFromEnvironment(), cancellationToken);
}
