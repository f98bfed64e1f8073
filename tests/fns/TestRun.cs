using NUnit.Framework;
using Tcdb.Testing;

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
