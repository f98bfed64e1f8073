using System.Collections.Concurrent;
using Npgsql;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Testing;

/// <summary>
/// The clones a FunctionTest takes are made before it asks, and the ones it gives back are dropped without it
/// waiting: checked with real databases on the run's server, made by a counting stand-in for the template.
/// </summary>
[TestFixture]
public sealed class PreparedClonesTests
{
    [Test]
    public async Task A_take_starts_the_clones_of_the_next_takes_and_the_next_take_gets_one_of_them()
    {
        var maker = new CountingMaker(await TestServer.GetAsync());
        var clones = new PreparedClones(maker.MakeAsync, ahead: 2);
        try
        {
            var first = await clones.TakeAsync();

            Assert.That(maker.Started, Is.EqualTo(3), "the clone taken and two made ahead");
            await maker.AllMadeAsync();
            var madeBefore = maker.Made;
            var second = await clones.TakeAsync();
            Assert.That(madeBefore, Does.Contain(second.Name).And.Contain(first.Name), "the second take gets a clone made before it asked");
            Assert.That(second.Name, Is.Not.EqualTo(first.Name));
            Assert.That(maker.Started, Is.EqualTo(4), "one more started to stay two ahead");
            Assert.That(await ExistsAsync(first), Is.True);
            Assert.That(await ExistsAsync(second), Is.True);
            await clones.ReturnAsync(first);
            await clones.ReturnAsync(second);
        }
        finally
        {
            await clones.DisposeAsync();
        }

        await maker.AllMadeAsync();
        Assert.That(await Task.WhenAll(maker.Made.Select(ExistsAsync)), Has.None.True, "closing drops the clones nobody took and waits for the pending drops");
    }

    [Test]
    public async Task A_clone_given_back_is_dropped_in_the_background()
    {
        var maker = new CountingMaker(await TestServer.GetAsync());
        var clones = new PreparedClones(maker.MakeAsync, ahead: 1);
        try
        {
            var taken = await clones.TakeAsync();

            await clones.ReturnAsync(taken);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (await ExistsAsync(taken) && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
            }

            Assert.That(await ExistsAsync(taken), Is.False);
        }
        finally
        {
            await clones.DisposeAsync();
        }
    }

    [Test]
    public async Task A_clone_that_cannot_be_made_fails_the_take_that_needs_it_and_not_the_close()
    {
        var clones = new PreparedClones(() => throw new InvalidOperationException("the upgrade left drift tests cannot trust"), ahead: 2);

        var error = Assert.ThrowsAsync<InvalidOperationException>(clones.TakeAsync);

        Assert.That(error!.Message, Is.EqualTo("the upgrade left drift tests cannot trust"));
        await clones.DisposeAsync();
        Assert.ThrowsAsync<ObjectDisposedException>(clones.TakeAsync, "no take after the close");
    }

    [Test]
    public void As_many_clones_are_kept_ready_as_tests_run_side_by_side()
    {
        var parallel = System.Reflection.Emit.AssemblyBuilder.DefineDynamicAssembly(
            new System.Reflection.AssemblyName("ParallelTests"),
            System.Reflection.Emit.AssemblyBuilderAccess.Run,
            [new System.Reflection.Emit.CustomAttributeBuilder(typeof(LevelOfParallelismAttribute).GetConstructor([typeof(int)])!, [5])]);

        Assert.That(PreparedClones.AheadFor(parallel), Is.EqualTo(5), "LevelOfParallelism(5)");
        Assert.That(PreparedClones.AheadFor(typeof(PreparedClonesTests).Assembly), Is.EqualTo(Math.Clamp(Environment.ProcessorCount, 2, 8)), "no LevelOfParallelism: one per core");
    }

    private static async Task<bool> ExistsAsync(ServerDatabase database) => await ExistsAsync(database.Name);

    private static async Task<bool> ExistsAsync(string name)
    {
        var server = await TestServer.GetAsync();
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select exists (select from pg_database where datname = $1)", connection) { Parameters = { new() { Value = name } } };
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Makes empty databases on the server, remembering their names in the order they were started.</summary>
    private sealed class CountingMaker(IPostgresServer server)
    {
        private readonly ConcurrentDictionary<int, Task<ServerDatabase>> made = new();
        private int started;

        public int Started => Volatile.Read(ref started);

        public IReadOnlyList<string> Made => [.. made.OrderBy(m => m.Key).Select(m => m.Value.Result.Name)];

        public Task<ServerDatabase> MakeAsync()
        {
            var number = Interlocked.Increment(ref started) - 1;
            return made.GetOrAdd(number, _ => server.CreateDatabaseAsync());
        }

        public Task AllMadeAsync() => Task.WhenAll(made.Values);
    }
}
