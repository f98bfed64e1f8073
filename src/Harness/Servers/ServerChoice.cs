namespace Tcdb.Servers;

/// <summary>Where the harness gets its server when no URL is given: <c>local</c> or <c>docker[:IMAGE]</c>.</summary>
public sealed record ServerChoice(ServerKind Kind, string? Image)
{
    /// <summary>Environment variable holding the choice for test runs (the CLI's <c>--server</c>).</summary>
    public const string Variable = "TCDB_SERVER";

    public static readonly ServerChoice Local = new(ServerKind.Local, null);

    /// <summary>
    /// Parses <c>local</c>, <c>docker</c> or <c>docker:IMAGE</c> (the image may carry its own tag, as in
    /// <c>docker:postgres:16-bookworm</c> or <c>docker:registry.example.com/pg:15</c>).
    /// </summary>
    /// <exception cref="FormatException">anything else; the message lists the accepted forms.</exception>
    public static ServerChoice Parse(string text)
    {
        var value = text.Trim();
        if (value.Equals("local", StringComparison.OrdinalIgnoreCase))
        {
            return Local;
        }

        if (value.Equals("docker", StringComparison.OrdinalIgnoreCase))
        {
            return new ServerChoice(ServerKind.Docker, null);
        }

        if (value.StartsWith("docker:", StringComparison.OrdinalIgnoreCase))
        {
            var image = value["docker:".Length..].Trim();
            if (image.Length > 0 && !image.Any(char.IsWhiteSpace))
            {
                return new ServerChoice(ServerKind.Docker, image);
            }
        }

        throw new FormatException($"'{text}' is not a server: use local (a throwaway cluster), docker (image postgres:<major>) or docker:IMAGE");
    }

    /// <summary>The choice in <c>TCDB_SERVER</c>; local when unset.</summary>
    /// <exception cref="ServerUnavailableException">the variable holds something else.</exception>
    public static ServerChoice FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Local;
        }

        try
        {
            return Parse(text);
        }
        catch (FormatException e)
        {
            throw new ServerUnavailableException($"{Variable}: {e.Message}", e);
        }
    }

    /// <summary>The image a docker server of <paramref name="major"/> runs: the one named, else <c>postgres:&lt;major&gt;</c>.</summary>
    public string ImageFor(int major) => Image ?? $"postgres:{major}";
}

/// <summary>The kinds of server the harness starts itself.</summary>
public enum ServerKind
{
    /// <summary>A throwaway cluster from PostgreSQL binaries on this machine.</summary>
    Local,

    /// <summary>A container of a PostgreSQL image, started through Testcontainers.</summary>
    Docker,
}
