namespace Tcdb.Servers;

/// <summary>Chooses a server: an explicit URL, else a throwaway cluster or a container of a given major.</summary>
public static class PostgresServers
{
    /// <summary>Environment variable holding an admin URL of an external server.</summary>
    public const string TestDbUrlVariable = "TEST_DB_URL";

    /// <summary>Environment variable holding the PostgreSQL major for throwaway clusters.</summary>
    public const string PgVersionVariable = "PG_VERSION";

    public const int DefaultMajor = 15;

    /// <param name="requireSuperuser">Whether a <c>TEST_DB_URL</c> user must be a superuser (see <see cref="ExternalServer.ConnectAsync"/>).</param>
    /// <param name="cancellationToken">Cancels starting or connecting.</param>
    public static async Task<IPostgresServer> FromEnvironmentAsync(bool requireSuperuser = true, CancellationToken cancellationToken = default)
    {
        var url = Environment.GetEnvironmentVariable(TestDbUrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            return await ExternalServer.ConnectAsync(url, requireSuperuser, cancellationToken);
        }

        return await StartAsync(ServerChoice.FromEnvironment(), MajorFromEnvironment(), cancellationToken);
    }

    /// <summary>Starts the server <paramref name="choice"/> names: a throwaway cluster of <paramref name="major"/>, or a container of the chosen image.</summary>
    public static async Task<IPostgresServer> StartAsync(ServerChoice choice, int major, CancellationToken cancellationToken = default) =>
        choice.Kind == ServerKind.Docker
            ? await ContainerServer.StartAsync(choice.ImageFor(major), cancellationToken)
            : await ThrowawayCluster.StartAsync(major, cancellationToken);

    public static int MajorFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(PgVersionVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultMajor;
        }

        return int.TryParse(text, out var major) && major >= 10
            ? major
            : throw new ServerUnavailableException($"{PgVersionVariable}='{text}' is not a PostgreSQL major version such as 11 or 15");
    }

}
