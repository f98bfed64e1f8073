namespace Tcdb.Harness.Tests.Schema;

/// <summary>Paths of the fixture directories under TestData (copied next to the test assembly).</summary>
public static class TestDirectories
{
    public static string Root => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData");

    /// <summary>A directory with a load error, under TestData/load.</summary>
    public static string Broken(string name) => Path.Combine(Root, "load", name);

    /// <summary>A directory that loads, under TestData/valid.</summary>
    public static string Valid(string name) => Path.Combine(Root, "valid", name);

    /// <summary>A directory with exactly one policy finding, under TestData/policy.</summary>
    public static string Policy(string name) => Path.Combine(Root, "policy", name);

    /// <summary>A directory whose version 2 has a known production cost, under TestData/cost.</summary>
    public static string Cost(string name) => Path.Combine(Root, "cost", name);

    public static IEnumerable<string> AllValid() =>
        Directory.EnumerateDirectories(Path.Combine(Root, "valid")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
}
