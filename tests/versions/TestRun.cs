using NUnit.Framework;
using Tcdb.Testing;

// Each version test works on its own clone; version tests run side by side (a test class is one fixture).
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]

namespace Tcdb.Versions.Tests;

/// <summary>Stops the run's shared PostgreSQL server once every test of this assembly has run.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public async Task StopServer() => await TestServer.ShutdownAsync();
}
