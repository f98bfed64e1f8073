namespace Tcdb.Cost;

/// <summary>Whether a measurement is of a version's upgrade or of its downgrade.</summary>
public enum CostDirection
{
    Upgrade,
    Downgrade,
}

/// <summary>What one version's upgrade or downgrade transaction did to one table that existed before it.</summary>
/// <param name="Table">Qualified name, e.g. <c>public.tasks</c>.</param>
/// <param name="Mode">The strongest lock the transaction took on it (e.g. <c>AccessExclusiveLock</c>).</param>
/// <param name="Held">
/// How long that lock was held, at most: from the last moment the transaction was seen without it (the end of
/// the previous DDL command, or the transaction start) to the end of the transaction (locks are held to commit).
/// </param>
/// <param name="AcquiredAfter">Time from the transaction start to that moment.</param>
/// <param name="RowsBefore">Rows of the table before the transaction.</param>
/// <param name="Rewritten">Its relfilenode changed: every row was copied to a new file under the lock.</param>
/// <param name="RewriteReason">What caused the rewrite, as PostgreSQL's table_rewrite event said, when it fired.</param>
/// <param name="IndexesBuilt">Indexes of the table created or rebuilt (new relfilenode) by the transaction.</param>
/// <param name="SeqScans">Sequential scans of the table in the transaction (index builds and rewrites scan too).</param>
/// <param name="TuplesRead">Tuples the transaction read from the table (sequentially and through indexes).</param>
public sealed record TableCost(
    string Table,
    string Mode,
    TimeSpan Held,
    TimeSpan AcquiredAfter,
    long RowsBefore,
    bool Rewritten,
    string? RewriteReason,
    int IndexesBuilt,
    long SeqScans,
    long TuplesRead)
{
    /// <summary>The transaction read at least the whole table sequentially (a validation, an update without index, a rewrite).</summary>
    public bool FullScan => RowsBefore > 0 && SeqScans > 0 && TuplesRead >= RowsBefore * 9 / 10;

    public bool BlocksReads => LockModes.BlocksReads(Mode);

    public bool BlocksWrites => LockModes.BlocksWrites(Mode);
}

/// <summary>What two sessions saw that read and wrote the first table the version locked against writes, while it ran.</summary>
/// <param name="Table">The table.</param>
/// <param name="Mode">The version's lock on it when the probes started.</param>
/// <param name="ReadWaited">How long an ordinary read waited for the version's transaction.</param>
/// <param name="WriteWaited">How long a writer's lock (ROW EXCLUSIVE) waited.</param>
public sealed record LockProbeResult(string Table, string Mode, TimeSpan ReadWaited, TimeSpan WriteWaited);

/// <summary>One upgrade or downgrade transaction of one version, measured on one seeded database.</summary>
/// <param name="Duration">From the transaction's start to its last statement (the tcversion update before commit).</param>
/// <param name="Tables">The tables that existed before and were locked, in the order their locks were first seen.</param>
/// <param name="Probe">The lock probe's result, when it ran and found a table locked against writes.</param>
public sealed record TransactionCost(TimeSpan Duration, IReadOnlyList<TableCost> Tables, LockProbeResult? Probe)
{
    /// <summary>Tables held in ACCESS EXCLUSIVE mode at commit (locks are held to commit, so all at once).</summary>
    public IReadOnlyList<TableCost> ExclusiveTables => Tables.Where(t => t.Mode == LockModes.AccessExclusive).ToList();

    /// <summary>The table whose ACCESS EXCLUSIVE lock was taken first, and so is held the longest.</summary>
    public TableCost? FirstExclusive => ExclusiveTables.OrderBy(t => t.AcquiredAfter).FirstOrDefault();
}

/// <summary>One batch of an online migration or downgrade as the profiler ran it.</summary>
/// <param name="Batch">1-based.</param>
/// <param name="RowsBefore">Items done by earlier batches.</param>
/// <param name="Count">Items this batch reported done.</param>
/// <param name="TuplesRead">Tuples it read from user tables (sequentially and through indexes).</param>
/// <param name="Elapsed">Its wall time.</param>
public sealed record BatchSample(int Batch, long RowsBefore, int Count, long TuplesRead, TimeSpan Elapsed)
{
    public double TuplesPerRow => Count == 0 ? TuplesRead : (double)TuplesRead / Count;

    public double MillisecondsPerRow => Count == 0 ? Elapsed.TotalMilliseconds : Elapsed.TotalMilliseconds / Count;
}

/// <summary>An online migration or downgrade run batch by batch with a fixed batch size, and whether its batches get dearer.</summary>
/// <param name="Kind">"migration" or "downgrade".</param>
/// <param name="BatchSize">The fixed batch size the profiler asked for.</param>
/// <param name="Rows">Items done in all.</param>
/// <param name="Elapsed">Time of all batches.</param>
/// <param name="Points">The batches at the start, 1/4, 1/2, 3/4 and end of the work.</param>
/// <param name="TuplesGrowth">Tuples read per item of the last batches over that of the first batches.</param>
/// <param name="TimeGrowth">The same for time per item, when the batches were long enough to time (else null).</param>
/// <param name="Grows">Either ratio exceeds the growth factor: the batch loses its position and the migration is quadratic.</param>
/// <param name="Problem">Why the profile stopped early (no progress, or batches that never complete the work), when it did: the scale is then unmeasured.</param>
/// <param name="Tables">The user tables its first batch locked.</param>
public sealed record OnlineProfile(
    string Kind,
    int BatchSize,
    long Rows,
    TimeSpan Elapsed,
    IReadOnlyList<BatchSample> Points,
    double TuplesGrowth,
    double? TimeGrowth,
    bool Grows,
    string? Problem,
    IReadOnlyList<string> Tables)
{
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? Rows / Elapsed.TotalSeconds : 0;
}

/// <summary>One version measured on one database seeded with <see cref="RowsPerTable"/> rows in each table it touches.</summary>
/// <param name="RowsPerTable">The scale: rows seeded into each touched table.</param>
/// <param name="TouchedRows">Rows of the touched tables before the upgrade, summed (the fit's x).</param>
/// <param name="TouchedBytes">Their size on disk, tables with indexes and TOAST.</param>
/// <param name="Upgrade">The upgrade transaction.</param>
/// <param name="Downgrade">The downgrade transaction that followed it (null when the upgrade failed).</param>
/// <param name="OnlineMigration">The online migration after the upgrade, when the version has one.</param>
/// <param name="OnlineDowngrade">The online downgrade after the downgrade, when the version has one.</param>
/// <param name="Problem">Why this scale could not be measured (the upgrade failed on generated rows, ...), when so.</param>
public sealed record ScaleCost(
    int RowsPerTable,
    long TouchedRows,
    long TouchedBytes,
    TransactionCost? Upgrade,
    TransactionCost? Downgrade,
    OnlineProfile? OnlineMigration,
    OnlineProfile? OnlineDowngrade,
    string? Problem)
{
    public TransactionCost? Of(CostDirection direction) => direction == CostDirection.Upgrade ? Upgrade : Downgrade;

    public OnlineProfile? OnlineOf(CostDirection direction) => direction == CostDirection.Upgrade ? OnlineMigration : OnlineDowngrade;
}

/// <summary>Everything measured for one version.</summary>
/// <param name="Version">Its number.</param>
/// <param name="Description">Its description.</param>
/// <param name="TouchedTables">Tables that existed before the version and that its upgrade, downgrade or online work locked.</param>
/// <param name="Scales">One measurement per scale, smallest first (empty when it touches no existing table).</param>
/// <param name="Problem">Why the version could not be measured at all, when so.</param>
/// <param name="CannotRunInTransaction">The version uses a statement PostgreSQL refuses inside a transaction (a defect).</param>
public sealed record VersionMeasurement(
    int Version,
    string Description,
    IReadOnlyList<string> TouchedTables,
    IReadOnlyList<ScaleCost> Scales,
    string? Problem,
    bool CannotRunInTransaction = false);
