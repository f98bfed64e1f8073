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
        var tested = VersionTestClasses().Select(t => VersionOf(t)).ToHashSet();
        var missing = Enumerable.Range(1, schema.LatestVersion).Where(v => !tested.Contains(v)).Select(v => $"tests/versions/V{v:D4}Test.cs (./tcdb new-version creates one; write `public sealed class V{v:D4}Test : VersionTest`)");
        Assert.That(missing, Is.Empty, "versions without a hand-written test class");
    }

    /// <summary>A class named VNNNNTest tests version NNNN (the fixture refuses another number); a class named otherwise says its number.</summary>
    [Test]
    public void EveryVersionTestClassTestsTheVersionItsNameSays()
    {
        var classes = VersionTestClasses();
        var disagreeing = classes
            .Select(t => (Type: t, Named: VersionTest.NumberInName(t), Tested: VersionOf(t)))
            .Where(c => c.Named is not null && c.Named != c.Tested)
            .Select(c => $"{c.Type.Name} tests version {c.Tested}");

        Assert.That(classes, Is.Not.Empty);
        Assert.That(disagreeing, Is.Empty);
        foreach (var other in classes.Where(t => VersionTest.NumberInName(t) is null))
        {
            TestContext.Out.WriteLine($"{other.Name} is not named VNNNNTest; it says its version: {VersionOf(other)}");
        }
    }

    /// <summary>The whole directory passes the generic shape, with the same findings whatever the number of jobs.</summary>
    [Test]
    public async Task TheWholeDirectoryVerifiesWithTheGenericShapeAtAnyNumberOfJobs()
    {
        var server = await TestServer.GetAsync();
        var schema = DbDirectories.Load(DbDirectories.Find());
        var verdicts = new Dictionary<int, string>();
        foreach (var jobs in new[] { 1, 2, 8 })
        {
            var report = await new VerifyEngine(server, new VerifyOptions { Schema = schema, Jobs = jobs, Progress = line => TestContext.Progress.WriteLine(line) }).RunAsync();
            foreach (var warning in report.Findings.Where(f => !f.IsDefect))
            {
                TestContext.Out.WriteLine($"jobs {jobs}: {warning}");
            }

            Assert.That(report.Findings.Where(f => f.IsDefect).Select(f => f.ToString()), Is.Empty, $"jobs {jobs}");
            Assert.That(report.Versions, Has.Count.EqualTo(schema.LatestVersion));
            verdicts[jobs] = string.Join("\n", report.Findings.Select(f => $"{f.Version} {f.Severity} {VerificationFinding.KindId(f.Kind)} {f.Object}").Order(StringComparer.Ordinal));
        }

        Assert.That(verdicts[2], Is.EqualTo(verdicts[1]), "2 jobs and 1 job");
        Assert.That(verdicts[8], Is.EqualTo(verdicts[1]), "8 jobs and 1 job");
    }

    private static List<Type> VersionTestClasses() =>
        [.. typeof(DirectoryTests).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(VersionTest)) && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>The version a test class tests, as its constructor sets it (a name that disagrees with its number fails here).</summary>
    private static int VersionOf(Type type)
    {
        try
        {
            var test = (VersionTest)Activator.CreateInstance(type)!;
            return (int)typeof(VersionTest).GetProperty("Version", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(test)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Assert.Fail($"{type.Name}: {e.InnerException.Message}");
            throw;
        }
    }
}
