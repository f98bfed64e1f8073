using Tcdb.Testing;

namespace Tcdb.Harness.Tests;

/// <summary>Stops the run's shared PostgreSQL server once every test of this assembly has run.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public async Task StopServer() => await TestServer.ShutdownAsync();
}
