using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// The work a verification skips unless it runs exhaustively, each skip sound by construction: catalog
/// groups of catalog objects whose stamp an earlier snapshot saw are not printed again, tables no transaction
/// has written since an earlier snapshot are not read again, and a function whose footprint an earlier
/// call had is not called again. Keyed by content, so one instance serves every segment of a run.
/// </summary>
internal sealed class VerifyShortcuts(ProbeSelection probes)
{
    public CatalogSnapshotCache Catalogs { get; } = new();

    public DataSnapshotCache Data { get; } = new();

    public ProbeSelection Probes { get; } = probes;
}
