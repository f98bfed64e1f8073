using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Testing;

/// <summary>Drops the FunctionTest templates and service roles of this namespace's tests (before the server stops).</summary>
[SetUpFixture]
public sealed class FunctionTestRun
{
    [OneTimeTearDown]
    public async Task CleanUp() => await FunctionTest.CleanUpRunAsync();
}
