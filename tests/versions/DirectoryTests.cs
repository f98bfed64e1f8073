using System.Reflection;
using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;

namespace Tcdb.Versions.Tests;

/// <summary>Checks over the whole db/ directory: every version has its own test, and the generic shape passes for all.</summary>
[TestFixture]
public sealed class DirectoryTests
{
    [Test]
    public void EveryVersionHasAHandWrittenTestClass()
    {
        var schema = DbDirectories.Load(DbDirectories.Find());
        var tested = typeof(DirectoryTests).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(VersionTest)) && !t.IsAbstract)
            .Select(t => (VersionTest)Activator.CreateInstance(t)!)
            .Select(t => (int)typeof(VersionTest).GetProperty("Version", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(t)!)
            .ToHashSet();
        var missing = Enumerable.Range(1, schema.LatestVersion).Where(v => !tested.Contains(v)).Select(v => $"tests/versions/V{v:D4}Test.cs (./tcdb new-version creates one; write `public sealed class V{v:D4}Test() : VersionTest({v})`)");
        Assert.That(missing, Is.Empty, "versions without a hand-written test class");
    }

    [Test]
    public async Task TheWholeDirectoryVerifiesWithTheGenericShape()
    {
        var server = await TestServer.GetAsync();
        var schema = DbDirectories.Load(DbDirectories.Find());
        var report = await new VerifyEngine(server, new VerifyOptions { Schema = schema, Progress = line => TestContext.Progress.WriteLine(line) }).RunAsync();
        foreach (var warning in report.Findings.Where(f => !f.IsDefect))
        {
            TestContext.Out.WriteLine(warning.ToString());
        }

        Assert.That(report.Findings.Where(f => f.IsDefect).Select(f => f.ToString()), Is.Empty);
        Assert.That(report.Versions, Has.Count.EqualTo(schema.LatestVersion));
    }
}
