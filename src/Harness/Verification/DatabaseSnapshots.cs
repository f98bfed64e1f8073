using Tcdb.Schema;
using Npgsql;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>The catalog and the rows of one database, as the verification compares them.</summary>
internal sealed record Snapshot(CatalogSnapshot Catalog, DataSnapshot Data);

/// <summary>
/// Takes the snapshots of one database, each on a connection of its own; with <paramref name="shortcuts"/>,
/// reusing what earlier snapshots of the run read where it cannot have changed.
/// </summary>
internal sealed class DatabaseSnapshots(string connectionString, RolePrefix rolePrefix, VerifyShortcuts? shortcuts)
{
    public DatabaseSnapshots(string connectionString, VerificationRun run)
        : this(connectionString, run.RolePrefix, run.Shortcuts)
    {
    }

    public async Task<CatalogSnapshot> CatalogAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await CatalogSnapshot.TakeAsync(connection, new CatalogSnapshotOptions { RolePrefix = rolePrefix, Reuse = shortcuts?.Catalogs }, ct);
    }

    public async Task<DataSnapshot> DataAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        // tcversion belongs to the migrator; its value is checked by the migrator's own lock.
        return await DataSnapshot.TakeAsync(connection, new DataSnapshotOptions { ExcludedTables = new HashSet<string>(StringComparer.Ordinal) { "public.tcversion" }, Reuse = shortcuts?.Data }, ct);
    }

    /// <summary>Both, side by side: the server reads the rows while this process parses the catalog.</summary>
    public async Task<Snapshot> BothAsync(CancellationToken ct)
    {
        var catalog = CatalogAsync(ct);
        var data = DataAsync(ct);
        return new Snapshot(await catalog, await data);
    }
}
