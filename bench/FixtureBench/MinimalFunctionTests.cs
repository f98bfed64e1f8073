using NUnit.Framework;
using Tcdb.Testing;

namespace Tcdb.FixtureBench;

/// <summary>
/// FunctionTest cases of db/ that do (almost) nothing, so their duration is the fixture's own cost: a database
/// cloned at the latest version, service logins, cleanup. The first case also pays the run's one-time setup
/// (server start, template), which bench/fixtures.sh reports apart.
/// </summary>
[TestFixture]
public sealed class MinimalFunctionTests : FunctionTest
{
    private static readonly int[] Cases = Enumerable.Range(0, 40).ToArray();

    [TestCaseSource(nameof(Cases))]
    public void Nothing(int i) => Assert.That(Database, Is.Not.Null, $"case {i}");

    [TestCaseSource(nameof(Cases))]
    public async Task OneTrivialCall(int i)
    {
        var rows = await Client("secrets").CallAsync("get_secret", $"missing-{i}");
        Assert.That(rows, Is.Empty);
    }
}

/// <summary>Stops the run's shared server once every case has run.</summary>
[SetUpFixture]
public sealed class BenchRun
{
    [OneTimeTearDown]
    public async Task StopServer() => await TestServer.ShutdownAsync();
}
