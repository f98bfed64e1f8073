using Tcdb.Testing;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// Runs <see cref="VerifyEngine"/> for the defect tests: at one job and at several (each version its own
/// segment, started from the upward pass's template), asserting that both find exactly the same, and
/// returns the one-job report for the test's own assertions.
/// </summary>
internal static class EngineRuns
{
    /// <summary>Jobs of the second run: more than the versions of most test directories, so every version starts a segment.</summary>
    public const int SeveralJobs = 3;

    public static async Task<VerificationReport> AtOneAndSeveralJobsAsync(VerifyOptions options)
    {
        var one = await RunAsync(options with { Jobs = 1 });
        var several = await RunAsync(options with { Jobs = SeveralJobs });
        Assert.That(several.Findings, Is.EqualTo(one.Findings), $"the findings at --jobs {SeveralJobs} differ from those at --jobs 1");
        return one.Report;
    }

    /// <summary>One run; its findings as lines with the run's random role prefix replaced, so that two runs compare.</summary>
    public static async Task<(VerificationReport Report, IReadOnlyList<string> Findings)> RunAsync(VerifyOptions options)
    {
        var server = await TestServer.GetAsync();
        var engine = new VerifyEngine(server, options);
        var report = await engine.RunAsync();
        TestContext.Out.WriteLine($"--jobs {options.Jobs}:");
        foreach (var finding in report.Findings)
        {
            TestContext.Out.WriteLine(finding);
        }

        var lines = report.Findings
            .Select(f => $"{f.Version} {f.Severity} {VerificationFinding.KindId(f.Kind)} {f.Object} x{f.Occurrences}: {f.Message}".Replace(engine.RolePrefix.Value, "<prefix>", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return (report, lines);
    }
}
