using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Verification;

/// <summary>
/// The per-version shape for one version on a database the caller prepared at N-1 (a clone of a template,
/// usually), with the function calls judged: what a version's own test and a mutation run need, without
/// the whole-chain work of <see cref="VerifyEngine"/>.
/// </summary>
public static class SingleVersionCheck
{
    /// <summary>
    /// Runs the shape of <paramref name="version"/> on <paramref name="database"/> (at N-1; left at N), whose
    /// service roles are named by <paramref name="rolePrefix"/>, and returns its result and
    /// every finding, the functions' verdicts (against the deprecation window of <see cref="VerifyOptions.Releases"/>)
    /// included. Of <paramref name="options"/>, the range, jobs, policy and accepted findings do not apply.
    /// An exception of one of the version's hooks ends the check and is thrown as it is.
    /// </summary>
    public static async Task<SingleVersionOutcome> RunAsync(
        VerifyOptions options, RolePrefix rolePrefix, int version, ServerDatabase database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(database);
        return await RunAsync(new VerificationRun(options, rolePrefix), version, database, cancellationToken);
    }

    /// <summary>The same, within a run whose inferred seed shapes the caller shares (e.g. across mutants of one schema).</summary>
    internal static async Task<SingleVersionOutcome> RunAsync(VerificationRun run, int version, ServerDatabase database, CancellationToken cancellationToken)
    {
        var options = run.Options;
        VersionResult result;
        await using (var session = new MigrationSession(run, database))
        {
            result = await new VersionCheck(run, version, session).RunAsync(catalogAtStart: null, cancellationToken);
        }

        var findings = result.Findings.Concat(new FunctionVerdicts(options.Schema, options.Releases).Judge(result.Probes)).ToList();
        return new SingleVersionOutcome(result, findings);
    }
}

/// <summary>A version's <see cref="VersionResult"/> and all its findings, the function verdicts included.</summary>
public sealed record SingleVersionOutcome(VersionResult Result, IReadOnlyList<VerificationFinding> Findings)
{
    public IEnumerable<VerificationFinding> Defects => Findings.Where(f => f.IsDefect);
}
