namespace Tcdb.Servers;

/// <summary>
/// A PostgreSQL server the harness may create and drop databases in: a throwaway cluster it started
/// itself, or an external server given by URL. Dispose stops (or releases) it.
/// </summary>
public interface IPostgresServer : IAsyncDisposable
{
    /// <summary>Human-readable description, e.g. "throwaway PostgreSQL 15.18 cluster on 127.0.0.1:41234".</summary>
    string Description { get; }

    /// <summary>Major version of the running server (11, 15, ...), read from server_version_num.</summary>
    int MajorVersion { get; }

    /// <summary>Admin (superuser) connection string to the maintenance database.</summary>
    string AdminConnectionString { get; }

    /// <summary>What connecting or starting did besides (e.g. leftovers of killed runs dropped), one line each.</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// Creates a uniquely named database, empty or as a copy of <paramref name="templateName"/>
    /// (a database of this server that nobody is connected to), using the fastest strategy the major allows.
    /// </summary>
    Task<TestDatabase> CreateDatabaseAsync(string? templateName = null, CancellationToken cancellationToken = default);

    /// <summary>Drops a database this server created, terminating its remaining connections.</summary>
    Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default);
}
