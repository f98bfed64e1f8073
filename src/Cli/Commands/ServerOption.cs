using Tcdb.Servers;

namespace Tcdb.Cli.Commands;

/// <summary>
/// The server a command that creates its own databases runs on: <c>--admin-db-url URL</c> (yours; tcdb only
/// creates and drops its own databases there), else <c>--server local|docker[:IMAGE]</c> (unset:
/// <c>$TCDB_SERVER</c>, default local) of <c>--pg MAJOR</c> (default $PG_VERSION or 15).
/// </summary>
internal static class ServerOption
{
    public const string Name = "server";

    /// <summary>Refuses a URL together with the options that choose a server of tcdb's own.</summary>
    /// <exception cref="UsageException">both were given.</exception>
    public static void CheckOptions(CliArgs args)
    {
        if (args.Has("admin-db-url") && (args.Has("pg") || args.Has(Name)))
        {
            throw new UsageException($"give either --admin-db-url or --{Name}/--pg, not both");
        }
    }

    /// <exception cref="UsageException">the option holds no server.</exception>
    /// <exception cref="ServerUnavailableException">the environment variable holds no server.</exception>
    public static ServerChoice Resolve(CliArgs args)
    {
        if (args.Has("admin-db-url"))
        {
            return ServerChoice.Local;
        }

        if (args.Get(Name) is not { } text)
        {
            return ServerChoice.FromEnvironment();
        }

        try
        {
            return ServerChoice.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--{Name}: {e.Message}");
        }
    }

    /// <summary>Connects to the URL's server, or starts the chosen one.</summary>
    /// <exception cref="ServerUnavailableException">the server cannot be reached or started.</exception>
    public static async Task<IPostgresServer> StartAsync(CliArgs args, ServerChoice choice, CancellationToken cancellationToken) =>
        args.Get("admin-db-url") is { } url
            ? await ExternalServer.ConnectAsync(url, cancellationToken: cancellationToken)
            : await PostgresServers.StartAsync(choice, args.GetInt("pg") ?? PostgresServers.MajorFromEnvironment(), cancellationToken);
}
