using Tcdb.Migration;

namespace Tcdb.Verification;

/// <summary>
/// One migrator (one connection pool) for every step verification takes on one database, across versions,
/// with its online-migration hooks routed to the recorder of the step that is running.
/// </summary>
internal sealed class MigrationSession : IAsyncDisposable
{
    private OnlineRecorder? running;

    public MigrationSession(VerifySettings settings, string connectionString)
    {
        ConnectionString = connectionString;
        Migrator = new Migrator(settings.Schema, connectionString, settings.MigratorOptions(new OnlineMigrationHooks
        {
            BatchSize = n => running?.BatchSize(n) ?? n,
            BeforeBatch = (pass, rows) => running?.BeforeBatch(pass, rows),
        }));
    }

    public string ConnectionString { get; }

    private Migrator Migrator { get; }

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
