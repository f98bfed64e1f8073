using Tcdb.Migration;
using Tcdb.Runs;
using Tcdb.Servers;

namespace Tcdb.Verification;

/// <summary>
/// One migrator (one connection pool) for every step verification takes on one database, across versions,
/// with its online-migration hooks routed to the interrupter of the step that is running. Copies of the database
/// belong to the run scope given, if any (dropped in the background when done with), else to the caller.
/// </summary>
internal sealed class MigrationSession : IAsyncDisposable
{
    private readonly RunScope? scope;
    private OnlineInterrupter? running;

    public MigrationSession(VerificationRun run, ServerDatabase database)
        : this(run, database, null)
    {
    }

    public MigrationSession(VerificationRun run, ServerDatabase database, RunScope? scope)
    {
        this.scope = scope;
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
        return scope is null ? Database.CloneAsync(ct) : scope.CloneAsync(Database, ct);
    }

    /// <summary>Drops a copy made by <see cref="CloneAsync"/>: in the background when the session has a scope.</summary>
    public async Task DropAsync(ServerDatabase copy)
    {
        if (scope is null)
        {
            await copy.DisposeAsync();
        }
        else
        {
            await scope.DropSoonAsync(copy);
        }
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
