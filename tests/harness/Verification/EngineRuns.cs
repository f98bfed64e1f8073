using Tcdb.Testing;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// Runs <see cref="VerifyEngine"/> for the defect tests, each verification twice, asserting that both runs
/// find exactly the same: with the shortcuts (the default) and <see cref="VerifyOptions.Exhaustive"/>, and
/// either at one job and at several (each version its own segment, started from the upward pass's template)
/// or at the test's own number of jobs. Returns the report of the run with shortcuts for the test's own assertions.
/// </summary>
internal static class EngineRuns
{
    /// <summary>Jobs of the second run: more than the versions of most test directories, so every version starts a segment.</summary>
    public const int SeveralJobs = 3;

    /// <summary>With shortcuts at one job, exhaustive at <see cref="SeveralJobs"/>.</summary>
    public static async Task<VerificationReport> AtOneAndSeveralJobsAsync(VerifyOptions options)
    {
        var one = await RunAsync(options with { Jobs = 1 });
        var several = await RunAsync(options with { Jobs = SeveralJobs, Exhaustive = true });
        Assert.That(Differences(several.Findings, one.Findings), Is.Empty, $"the findings at --jobs 1 (with shortcuts) differ from those at --jobs {SeveralJobs} --exhaustive");
        return one.Report;
    }

    /// <summary>With shortcuts and exhaustive, both at <paramref name="options"/>' jobs.</summary>
    public static async Task<VerificationReport> WithAndWithoutShortcutsAsync(VerifyOptions options)
    {
        var (shortcuts, exhaustive) = await BothAsync(options);
        Assert.That(Differences(exhaustive.Findings, shortcuts.Findings), Is.Empty, "the shortcuts changed the findings");
        return shortcuts.Report;
    }

    /// <summary>The run with the options' shortcuts (or <see cref="VerifyOptions.ProbeSelection"/>) and the exhaustive run, one after the other.</summary>
    public static async Task<((VerificationReport Report, IReadOnlyList<string> Findings) Shortcuts, (VerificationReport Report, IReadOnlyList<string> Findings) Exhaustive)> BothAsync(VerifyOptions options)
    {
        var shortcuts = await RunAsync(options with { Exhaustive = false });
        var exhaustive = await RunAsync(options with { Exhaustive = true, ProbeSelection = null });
        return (shortcuts, exhaustive);
    }

    /// <summary>One run; its findings as lines with the run's random role prefix replaced, so that two runs compare.</summary>
    public static async Task<(VerificationReport Report, IReadOnlyList<string> Findings)> RunAsync(VerifyOptions options)
    {
        var server = await TestServer.GetAsync();
        var engine = new VerifyEngine(server, options);
        var report = await engine.RunAsync();
        TestContext.Out.WriteLine($"--jobs {options.Jobs}{(options.Exhaustive ? " --exhaustive" : string.Empty)}:");
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

    /// <summary>Findings one run has and the other has not, as "expected only: ..." and "actual only: ..." lines.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = actual.ToList();
        var lines = new List<string>();
        foreach (var line in expected)
        {
            if (!missing.Remove(line))
            {
                lines.Add("expected only: " + line);
            }
        }

        lines.AddRange(missing.Select(line => "actual only: " + line));
        return lines;
    }
}
