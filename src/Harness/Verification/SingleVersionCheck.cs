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
    /// Runs the shape of <paramref name="version"/> on <paramref name="database"/> (at N-1; left at N) and
    /// returns its result and every finding, the functions' verdicts (against <paramref name="releases"/>'
    /// deprecation window) included.
    /// </summary>
    public static async Task<SingleVersionOutcome> RunAsync(
        VerifySettings settings, int version, ServerDatabase database, ReleaseHistory? releases, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(database);
        VersionResult result;
        await using (var session = new MigrationSession(settings, database))
        {
            result = await new VersionCheck(settings, version, session).RunAsync(catalogAtStart: null, cancellationToken);
        }

        var findings = result.Findings.Concat(new FunctionVerdicts(settings.Schema, releases).Judge(result.Probes)).ToList();
        return new SingleVersionOutcome(result, findings);
    }
}

/// <summary>A version's <see cref="VersionResult"/> and all its findings, the function verdicts included.</summary>
public sealed record SingleVersionOutcome(VersionResult Result, IReadOnlyList<VerificationFinding> Findings)
{
    public IEnumerable<VerificationFinding> Defects => Findings.Where(f => f.IsDefect);
}
