using Tcdb.Harness.Tests.Verification;
using Tcdb.Mutation;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Harness.Tests.Mutation;

/// <summary>How a mutant reaches a version test (a copy of the directory) and how the test's verdict is read back.</summary>
[TestFixture]
public sealed class MutantDirectoryTests
{
    [Test]
    public void AMutatedCopyLoadsAsTheMutantByteForByte()
    {
        using var dir = new DbDirectoryBuilder().ScriptVersion(2,
            "begin\n  alter table things add column note text default E'tab\\there \\\\ ☃';\n  update things set note = 'C:\\' where size > 1;\nend",
            "begin\n  alter table things drop column note;\nend");
        var schema = SchemaLoader.Load(dir.Path);
        var mutant = MutantGenerator.Generate(schema, 2).First(m => m.Operator == MutationOperator.DropWhereCondition);
        var target = Path.Combine(Path.GetTempPath(), "tcdb-mutant-test-" + Guid.NewGuid().ToString("N"), "db");
        try
        {
            MutantDirectory.Write(mutant.Apply(schema), 2, target);

            var loaded = SchemaLoader.Load(target);
            Assert.That(loaded.GetVersion(2), Is.EqualTo(mutant.Apply(schema).GetVersion(2)));
            Assert.That(loaded.GetVersion(2).MigrationScript, Does.Contain("update things set note = 'C:\\';").And.Contain("E'tab\\there \\\\ ☃'"));
            Assert.That(loaded.GetVersion(1), Is.EqualTo(schema.GetVersion(1)), "the other versions are the original's files");
            Assert.That(SchemaLoader.Load(dir.Path), Is.EqualTo(schema), "the original directory is untouched");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(target)!, recursive: true);
        }
    }

    [Test]
    public void ADotnetTestRunIsReadAsPassedFailedOrNoTest()
    {
        var passed = DotnetVersionTests.Outcome(new ProcessResult(0, "Passed!  - Failed:     0, Passed:     1, Skipped:     0, Total:     1, Duration: 2 s - V.dll (net10.0)", string.Empty), "f");
        var failed = DotnetVersionTests.Outcome(new ProcessResult(1, "  Failed UpgradeDowngradeAndReupgradeLeaveNoTrace [3 s]\n  Error Message:\n   version 2 of db:\n  v0002 defect assertion-failed: after upgrade: Expected: 3\n  But was:  2\n\n  Stack Trace:\n     at X\n\nFailed!  - Failed:     1, Passed:     0, Skipped:     0, Total:     1", string.Empty), "f");
        var none = DotnetVersionTests.Outcome(new ProcessResult(0, "No test matches the given testcase filter `FullyQualifiedName~V0009Test` in x.dll", string.Empty), "FullyQualifiedName~V0009Test");

        Assert.That(passed, Is.EqualTo(new VersionTestOutcome(VersionTestVerdict.Passed, "1 test(s) passed")));
        Assert.That(failed.Verdict, Is.EqualTo(VersionTestVerdict.Failed));
        Assert.That(failed.Detail, Is.EqualTo("version 2 of db: v0002 defect assertion-failed: after upgrade: Expected: 3 But was: 2"));
        Assert.That(none, Is.EqualTo(new VersionTestOutcome(VersionTestVerdict.NoTest, "no test matches FullyQualifiedName~V0009Test")));
        Assert.Throws<MutationSetupException>(() => DotnetVersionTests.Outcome(new ProcessResult(1, "error MSB1009: Project file does not exist.", string.Empty), "f"));
    }
}
