using Tcdb.Migration;
using Tcdb.Servers;

namespace Tcdb.Verification;

/// <summary>
/// One migrator (one connection pool) for every step verification takes on one database, across versions,
/// with its online-migration hooks routed to the recorder of the step that is running.
/// </summary>
internal sealed class MigrationSession : IAsyncDisposable
{
    private OnlineRecorder? running;

    public MigrationSession(VerifySettings settings, TestDatabase database)
    {
        Database = database;
        ConnectionString = database.ConnectionString;
        Migrator = new Migrator(settings.Schema, ConnectionString, settings.MigratorOptions(new OnlineMigrationHooks
        {
            BatchSize = n => running is null ? n : OnlineRecorder.BatchSize(n),
            BeforeBatch = (pass, rows) => running?.BeforeBatch(pass, rows),
        }));
    }

    public string ConnectionString { get; }

    public TestDatabase Database { get; }

    /// <summary>A copy of the database as it is now (the session's idle connections are closed first).</summary>
    public Task<TestDatabase> CloneAsync(CancellationToken ct)
    {
        Migrator.ReleaseIdleConnections();
        return Database.CloneAsync(ct);
    }

    /// <summary>The migrator itself, for steps no recorder watches.</summary>
    public Migrator Migrator { get; }

    /// <summary>Upgrades (or downgrades) to <paramref name="version"/>; an interruption the recorder asked for is swallowed.</summary>
    public Task UpgradeAsync(int version, OnlineRecorder recorder, CancellationToken ct) => StepAsync(recorder, () => Migrator.UpgradeAsync(version, ct));

    public Task DowngradeAsync(int version, OnlineRecorder recorder, CancellationToken ct) => StepAsync(recorder, () => Migrator.DowngradeAsync(version, ct));

    public ValueTask DisposeAsync() => Migrator.DisposeAsync();

    private async Task StepAsync(OnlineRecorder recorder, Func<Task> step)
    {
        running = recorder;
        try
        {
            await step();
        }
        catch (OnlineInterruption)
        {
            // Asked for: the database stays mid-online, between two batches.
        }
        finally
        {
            running = null;
        }
    }
}
