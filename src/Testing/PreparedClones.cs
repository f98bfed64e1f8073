using System.Reflection;
using NUnit.Framework;
using NUnit.Framework.Internal;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// Clones of the latest template made before the tests that take them, and dropped after those tests without the
/// next test waiting: a test's setup takes a clone that is already there, and its teardown hands the clone back.
/// A few clones are kept ready (about as many as tests run side by side); a few drops may be pending before a
/// teardown waits for one. What is left at the end (ready clones, pending drops) is finished by
/// <see cref="TestServer.ShutdownAsync"/> before the templates and the service roles are dropped.
/// </summary>
internal sealed class PreparedClones : IAsyncDisposable
{
    private static readonly Dictionary<VersionTemplates, PreparedClones> Instances = [];
    private static readonly Lock InstancesGate = new();

    private readonly Func<Task<ServerDatabase>> make;
    private readonly int ahead;
    private readonly Queue<Task<ServerDatabase>> ready = new();
    private readonly List<Task> drops = [];
    private readonly SemaphoreSlim dropSlots;
    private readonly Lock gate = new();
    private bool closed;

    /// <summary>Clones that <paramref name="make"/> makes, <paramref name="ahead"/> of them kept ready.</summary>
    internal PreparedClones(Func<Task<ServerDatabase>> make, int ahead)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ahead, 1);
        this.make = make;
        this.ahead = ahead;
        dropSlots = new SemaphoreSlim(2 * ahead, 2 * ahead);
    }

    /// <summary>
    /// Clones to keep ready for the tests of <paramref name="testAssembly"/>: as many as NUnit runs tests side by
    /// side there (its <see cref="LevelOfParallelismAttribute"/>, else one per core), at least two, at most eight.
    /// </summary>
    public static int AheadFor(Assembly testAssembly)
    {
        var level = testAssembly.GetCustomAttribute<LevelOfParallelismAttribute>()?.Properties.Get(PropertyNames.LevelOfParallelism) as int?;
        return Math.Clamp(level ?? Environment.ProcessorCount, 2, 8);
    }

    /// <summary>The run's prepared clones of <paramref name="templates"/>' latest version (the first caller sets how many are kept ready).</summary>
    public static PreparedClones For(VersionTemplates templates, int ahead)
    {
        lock (InstancesGate)
        {
            if (!Instances.TryGetValue(templates, out var clones))
            {
                Instances[templates] = clones = new PreparedClones(() => templates.CloneAtLatestAsync(), ahead);

                // Registered after the templates' own cleanup, so it runs before it (the last registered runs first).
                TestServer.RegisterCleanup(async () => await clones.DisposeAsync());
            }

            return clones;
        }
    }

    /// <summary>
    /// A fresh clone at the latest version: one made ahead when there is one, else one made now; either way the
    /// clones for the next tests are started. A failure to make clones (drift after the upgrade) is this call's.
    /// </summary>
    public async Task<ServerDatabase> TakeAsync()
    {
        Task<ServerDatabase> next;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(closed, this);
            next = ready.Count > 0 ? ready.Dequeue() : Make();
            while (ready.Count < ahead)
            {
                ready.Enqueue(Make());
            }
        }

        return await next;
    }

    /// <summary>
    /// Drops <paramref name="database"/> in the background; waits only while too many drops are pending (after
    /// <see cref="DisposeAsync"/>, drops it before returning).
    /// </summary>
    public async Task ReturnAsync(ServerDatabase database)
    {
        lock (gate)
        {
            if (closed)
            {
                drops.Add(database.DisposeAsync().AsTask());
                return;
            }
        }

        await dropSlots.WaitAsync();
        lock (gate)
        {
            drops.RemoveAll(d => d.IsCompleted);
            drops.Add(Task.Run(() => DropAsync(database)));
        }
    }

    /// <summary>Starts a clone (its work runs past the first wait in the background); a failure to start is the clone's.</summary>
    private Task<ServerDatabase> Make()
    {
        try
        {
            return make();
        }
        catch (Exception e)
        {
            return Task.FromException<ServerDatabase>(e);
        }
    }

    private async Task DropAsync(ServerDatabase database)
    {
        try
        {
            await database.DisposeAsync();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // The run goes on; the database carries the run mark, so a later run removes it as a leftover.
            await Console.Error.WriteLineAsync($"tcdb: test database {database.Name} not dropped: {e.Message}");
        }
        finally
        {
            dropSlots.Release();
        }
    }

    /// <summary>Drops the clones made ahead that no test took, and waits for the pending drops; later takes fail.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task<ServerDatabase>> unused;
        List<Task> pending;
        lock (gate)
        {
            closed = true;
            unused = [.. ready];
            ready.Clear();
            pending = [.. drops];
            drops.Clear();
        }

        await Task.WhenAll(pending);
        foreach (var clone in unused)
        {
            // A clone that could not be made leaves nothing to drop; the tests that took clones reported why.
            await ((Task)clone).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (clone.IsCompletedSuccessfully)
            {
                await clone.Result.DisposeAsync();
            }
        }

        dropSlots.Dispose();
    }
}
