using NUnit.Framework;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>
/// Drops the FunctionTest templates and service roles of this run, then stops the run's shared PostgreSQL
/// server once every test of this assembly has run.
/// </summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public async Task StopServer()
    {
        await FunctionTest.CleanUpRunAsync();
        await TestServer.ShutdownAsync();
    }
}
