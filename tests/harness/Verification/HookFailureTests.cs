using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;
using Tcdb.Schema;
using Tcdb.Testing;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// A version test's hooks are its own code: a failed assertion in one ends the version's check and reaches
/// the test as it is, so NUnit records it once (not again as a finding of the check).
/// </summary>
[TestFixture]
public sealed class HookFailureTests
{
    [TestCase("seed")]
    [TestCase("before upgrade")]
    [TestCase("after upgrade")]
    [TestCase("during online work")]
    public async Task AFailedAssertionInAHookIsRecordedOnceAndEndsTheCheck(string hook)
    {
        var calls = 0;
        Task Check(VersionContext db)
        {
            calls++;
            Assert.That(db.Version, Is.EqualTo(-1), $"the {hook} hook's own assertion");
            return Task.CompletedTask;
        }

        Exception? thrown = null;
        List<AssertionResult> recorded;
        using (new TestExecutionContext.IsolatedContext())
        {
            try
            {
                await CheckVersion2Async(HooksWith(hook, Check));
            }
            catch (Exception e)
            {
                thrown = e;
            }

            recorded = TestExecutionContext.CurrentContext.CurrentResult.AssertionResults.ToList();
        }

        Assert.That(thrown, Is.InstanceOf<AssertionException>());
        Assert.That(thrown!.Message, Does.Contain($"the {hook} hook's own assertion"));
        Assert.That(recorded.Select(r => (r.Status, r.Message.Contains($"the {hook} hook's own assertion", StringComparison.Ordinal))), Is.EqualTo(new[] { (AssertionStatus.Failed, true) }));
        Assert.That(calls, Is.EqualTo(1), "the check ends at the failed assertion");
    }

    [TestCase("seed")]
    [TestCase("before upgrade")]
    [TestCase("after upgrade")]
    [TestCase("during online work")]
    public async Task AHookWhoseAssertionsHoldLeavesNoFinding(string hook)
    {
        var calls = 0;
        Task Check(VersionContext db)
        {
            calls++;
            Assert.That(db.Version, Is.EqualTo(2));
            return Task.CompletedTask;
        }

        var outcome = await CheckVersion2Async(HooksWith(hook, Check));
        Assert.That(outcome.Defects, Is.Empty);
        Assert.That(calls, Is.GreaterThanOrEqualTo(1));
    }

    private static VersionHooks HooksWith(string hook, Func<VersionContext, Task> check) => hook switch
    {
        "seed" => new VersionHooks { Seed = check },
        "before upgrade" => new VersionHooks { AssertBeforeUpgrade = check },
        "after upgrade" => new VersionHooks { AssertAfterUpgrade = check },
        "during online work" => new VersionHooks { DuringOnlineWork = (db, _, _) => check(db) },
        _ => throw new ArgumentOutOfRangeException(nameof(hook), hook, "no such hook"),
    };

    /// <summary>The shape of version 2 (with an online migration) on a clone at 1, as a version test runs it.</summary>
    private static async Task<SingleVersionOutcome> CheckVersion2Async(VersionHooks hooks)
    {
        using var dir = VerifyEngineTests.OnlineDirectory();
        var schema = SchemaLoader.Load(dir.Path);
        var templates = VersionTemplates.For(await TestServer.GetAsync(), schema);
        await using var database = await templates.CloneAtAsync(1);
        var options = new VerifyOptions { Schema = schema, Hooks = new Dictionary<int, VersionHooks> { [2] = hooks } };
        return await SingleVersionCheck.RunAsync(options, templates.RolePrefix, 2, database);
    }
}
