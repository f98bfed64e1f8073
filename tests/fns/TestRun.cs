using NUnit.Framework;
using Tcdb.Testing;

// Every function test has its own clone and clients, held in the fixture's fields: tests run side by side, each
// on an instance of its own. More workers than cores, since a test mostly waits for the server.
[assembly: Parallelizable(ParallelScope.Children)]
[assembly: FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
[assembly: LevelOfParallelism(4)]

namespace Tcdb.Fns.Tests;

/// <summary>
/// Stops the run's shared PostgreSQL server (dropping the template databases and service roles first)
/// once every test of this assembly has run.
/// </summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public async Task StopServer()
    {
        await TestServer.ShutdownAsync();
    }
}
