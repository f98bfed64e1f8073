using Tcdb.Migration;
using Tcdb.Servers;

namespace Tcdb.Verification;

/// <summary>
/// One migrator (one connection pool) for every step verification takes on one database, across versions,
/// with its online-migration hooks routed to the interrupter of the step that is running.
/// </summary>
internal sealed class MigrationSession : IAsyncDisposable
{
    private OnlineInterrupter? running;

    public MigrationSession(VerificationRun run, ServerDatabase database)
    {
        Database = database;
        ConnectionString = database.ConnectionString;
        Migrator = new Migrator(run.Schema, ConnectionString, run.MigratorOptions(new OnlineMigrationHooks
        {
            BatchSize = n => running is null ? n : OnlineInterrupter.BatchSize(n),
            BeforeBatch = batch => running?.BeforeBatchAsync(batch) ?? ValueTask.FromResult(OnlineBatchDecision.Continue),
        }));
    }

    public string ConnectionString { get; }

    public ServerDatabase Database { get; }

    /// <summary>The migrator itself, for steps no interrupter watches.</summary>
    public Migrator Migrator { get; }

    /// <summary>A copy of the database as it is now (the session's idle connections are closed first).</summary>
    public Task<ServerDatabase> CloneAsync(CancellationToken ct)
    {
        Migrator.ReleaseIdleConnections();
        return Database.CloneAsync(ct);
    }

    /// <summary>Upgrades to <paramref name="version"/> under <paramref name="interrupter"/>; true when it asked the migrator to stop before a batch.</summary>
    public Task<bool> UpgradeAsync(int version, OnlineInterrupter interrupter, CancellationToken ct) =>
        StepAsync(interrupter, async () => (await Migrator.UpgradeAsync(version, ct)).InterruptedBefore is not null);

    /// <summary>Downgrades to <paramref name="version"/> under <paramref name="interrupter"/>; true when it asked the migrator to stop before a batch.</summary>
    public Task<bool> DowngradeAsync(int version, OnlineInterrupter interrupter, CancellationToken ct) =>
        StepAsync(interrupter, async () => (await Migrator.DowngradeAsync(version, ct)).InterruptedBefore is not null);

    public ValueTask DisposeAsync() => Migrator.DisposeAsync();

    private async Task<bool> StepAsync(OnlineInterrupter interrupter, Func<Task<bool>> step)
    {
        running = interrupter;
        try
        {
            return await step();
        }
        finally
        {
            running = null;
        }
    }
}
