using Tcdb.Servers;

namespace Tcdb.Cli.Commands;

/// <summary>The <c>--server local|docker[:IMAGE]</c> option; unset, <c>$TCDB_SERVER</c> decides (default local).</summary>
internal static class ServerOption
{
    public const string Name = "server";

    /// <exception cref="UsageException">the option holds no server.</exception>
    /// <exception cref="ServerUnavailableException">the environment variable holds no server.</exception>
    public static ServerChoice Resolve(CliArgs args)
    {
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
}
