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

    /// <summary>
    /// The server the options choose, read before anything is loaded so a wrong choice is refused at once; a URL
    /// together with the options that choose a server of tcdb's own is refused.
    /// </summary>
    /// <exception cref="UsageException">both were given, or the option holds no server.</exception>
    /// <exception cref="ServerUnavailableException">the environment variable holds no server.</exception>
    public static ServerChoice Resolve(CliArgs args)
    {
        if (args.Has("admin-db-url") && (args.Has("pg") || args.Has(Name)))
        {
            throw new UsageException($"give either --admin-db-url or --{Name}/--pg, not both");
        }

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

    /// <summary>
    /// Connects to the URL's server, or starts the chosen one, and prints which server it is with its notes (what
    /// it cleaned up of runs that are gone).
    /// </summary>
    /// <exception cref="ServerUnavailableException">the server cannot be reached or started.</exception>
    public static async Task<IPostgresServer> StartAsync(CliArgs args, ServerChoice choice, TextWriter log, CancellationToken cancellationToken)
    {
        var server = args.Get("admin-db-url") is { } url
            ? await ExternalServer.ConnectAsync(url, cancellationToken: cancellationToken)
            : await PostgresServers.StartAsync(choice, args.GetInt("pg") ?? PostgresServers.MajorFromEnvironment(), cancellationToken);
        log.WriteLine($"server: {server.Description}");
        foreach (var note in server.Notes)
        {
            log.WriteLine(note);
        }

        return server;
    }
}
