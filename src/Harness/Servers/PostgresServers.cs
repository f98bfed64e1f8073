namespace Tcdb.Servers;

/// <summary>Chooses a server: an explicit URL, or a throwaway cluster of a given major.</summary>
public static class PostgresServers
{
    /// <summary>Environment variable holding an admin URL of an external server.</summary>
    public const string TestDbUrlVariable = "TEST_DB_URL";

    /// <summary>Environment variable holding the PostgreSQL major for throwaway clusters.</summary>
    public const string PgVersionVariable = "PG_VERSION";

    public const int DefaultMajor = 15;

    public static async Task<IPostgresServer> FromEnvironmentAsync(CancellationToken cancellationToken = default)
    {
        var url = Environment.GetEnvironmentVariable(TestDbUrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            return await ExternalServer.ConnectAsync(url, cancellationToken);
        }

        return await StartThrowawayAsync(MajorFromEnvironment(), cancellationToken);
    }

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

    public static async Task<IPostgresServer> StartThrowawayAsync(int major, CancellationToken cancellationToken = default) =>
        await ThrowawayCluster.StartAsync(major, cancellationToken);
}
