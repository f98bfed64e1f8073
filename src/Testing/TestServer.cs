using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// The one PostgreSQL server a test run uses, started on first use and stopped at process exit:
/// the server named by <c>TEST_DB_URL</c> when set, else the server <c>TCDB_SERVER</c> names (<c>local</c>, the
/// default: a throwaway cluster; <c>docker[:IMAGE]</c>: a container) of the major in <c>PG_VERSION</c> (default 15).
/// </summary>
public static class TestServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly List<Func<Task>> Cleanups = [];
    private static IPostgresServer? server;

    public static async Task<IPostgresServer> GetAsync(CancellationToken cancellationToken = default)
    {
        if (server is not null)
        {
            return server;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (server is null)
            {
                // Tests that share one respawned database create no database or role: no superuser needed.
                server = await PostgresServers.FromEnvironmentAsync(requireSuperuser: FunctionTest.IsolationFromEnvironment() != FunctionTestIsolation.Respawn, cancellationToken);
                foreach (var note in server.Notes)
                {
                    Console.Error.WriteLine($"tcdb test server: {note}");
                }

                AppDomain.CurrentDomain.ProcessExit += (_, _) => ShutdownAsync().AsTask().GetAwaiter().GetResult();
            }

            return server;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Registers work to do before the server stops (dropping shared databases and roles); the last registered runs first.</summary>
    public static void RegisterCleanup(Func<Task> cleanup)
    {
        lock (Cleanups)
        {
            Cleanups.Add(cleanup);
        }
    }

    /// <summary>Runs the registered cleanups and stops the shared server (test assemblies call this from a SetUpFixture's one-time teardown).</summary>
    public static async ValueTask ShutdownAsync()
    {
        var current = Interlocked.Exchange(ref server, null);
        if (current is null)
        {
            return;
        }

        List<Func<Task>> cleanups;
        lock (Cleanups)
        {
            cleanups = [.. Cleanups];
            Cleanups.Clear();
        }

        cleanups.Reverse();
        foreach (var cleanup in cleanups)
        {
            await cleanup();
        }

        await current.DisposeAsync();
    }
}
