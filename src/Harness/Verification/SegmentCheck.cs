using System.Diagnostics;
using Tcdb.Runs;
using Tcdb.Servers;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// One job's contiguous range of versions, <paramref name="first"/>..<paramref name="last"/>, verified in order on
/// one database: the database a version leaves at N, with its rows, is the next version's N-1, and its last catalog
/// snapshot the next version's S0. After a version that breaks that chain (a defect, or a retry without generic
/// rows) the segment rebuilds the upward pass's state from its template.
/// </summary>
internal sealed class SegmentCheck(VerificationRun run, int first, int last)
{
    private readonly List<VersionResult> results = [];
    private readonly List<VerificationFinding> findings = [];

    /// <summary>The first version of the segment.</summary>
    public int First { get; } = first;

    /// <summary>The last version of the segment.</summary>
    public int Last { get; } = last;

    /// <summary>The result of every version checked, in version order.</summary>
    public IReadOnlyList<VersionResult> Results => results;

    /// <summary>The versions the segment could not verify.</summary>
    public IReadOnlyList<VerificationFinding> Findings => findings;

    /// <summary>
    /// Clones the template the upward pass left at <c>First - 1</c> and runs <see cref="VersionCheck"/> for each
    /// version in order on that one database; without that template every version is reported as not verified.
    /// </summary>
    public async Task RunAsync(RunScope scope, TemplateChain templates, CancellationToken ct)
    {
        var start = await templates.TemplateAsync(First - 1, ct);
        if (start is null)
        {
            NotVerified(First, "the upward pass could not reach the version before it");
            return;
        }

        MigrationSession? session = new MigrationSession(run, await scope.CloneAsync(start, ct), scope);
        try
        {
            CatalogSnapshot? catalog = null;
            for (var version = First; version <= Last; version++)
            {
                var stopwatch = Stopwatch.StartNew();

                // The previous version ended at this version's N-1 on the same database: its last snapshot is our S0.
                // Without shortcuts every version with a migration script copies its database at N-1 in case rows at
                // N do not come back; with them no copy is taken, and a version that needs one runs again with it.
                var check = new VersionCheck(run, version, session, copyOnDemand: run.Shortcuts is not null && !run.Options.HooksFor(version).RunsCode);
                var result = await check.RunAsync(catalog, ct);
                if (check.NeedsReplayCopy)
                {
                    run.Options.Progress?.Invoke($"v{version:D4} rows at {version} did not come back: checked again from the upward pass's state at {version - 1}, with a copy of it");
                    await EndAsync(scope, session);
                    session = null;
                    (session, var failure) = await RebuildAsync(scope, start, version - 1, ct);
                    if (session is null)
                    {
                        NotVerified(version, failure);
                        return;
                    }

                    check = new VersionCheck(run, version, session);
                    result = await check.RunAsync(catalogAtStart: null, ct);
                }

                catalog = check.CatalogAtEnd;
                results.Add(result);
                var phases = string.Join(", ", result.PhaseMilliseconds.Select(p => $"{p.Key} {p.Value:0}"));
                var verdict = result.HasDefects ? $"{result.Findings.Count(f => f.IsDefect)} defect(s)" : "ok";
                var data = result.Rows is var (before, atN, after) ? $"; rows {before} at {version - 1}, {atN} at {version}, {after} after the downgrade" : string.Empty;
                run.Options.Progress?.Invoke($"v{version:D4} {verdict} in {stopwatch.ElapsedMilliseconds} ms ({phases}; {result.SeededRows} rows seeded{data})");
                if (!result.ChainIntact && version < Last)
                {
                    // The database may not hold what the upward pass leaves at this version: rebuild that
                    // state from the segment's template, so the next version starts where it would in any run.
                    await EndAsync(scope, session);
                    session = null;
                    (session, var failure) = await RebuildAsync(scope, start, version, ct);
                    if (session is null)
                    {
                        NotVerified(version + 1, failure);
                        return;
                    }

                    catalog = null;
                }
            }
        }
        finally
        {
            if (session is not null)
            {
                await EndAsync(scope, session);
            }
        }
    }

    /// <summary>
    /// A new clone of <paramref name="start"/> (the template at <c>First - 1</c>) brought to <paramref name="version"/>
    /// the way the upward pass does; no session, and why, when a version on the way cannot be applied.
    /// </summary>
    private async Task<(MigrationSession? Session, string Failure)> RebuildAsync(RunScope scope, ServerDatabase start, int version, CancellationToken ct)
    {
        var session = new MigrationSession(run, await scope.CloneAsync(start, ct), scope);
        for (var v = First; v <= version; v++)
        {
            if (!await UpwardPass.StepAsync(run, session, v, ct))
            {
                await EndAsync(scope, session);
                return (null, $"version {v} cannot be applied");
            }
        }

        return (session, string.Empty);
    }

    /// <summary>Ends a session whose database the segment no longer needs, and drops the database in the background.</summary>
    private static async Task EndAsync(RunScope scope, MigrationSession session)
    {
        await session.DisposeAsync();
        await scope.DropSoonAsync(session.Database);
    }

    /// <summary>Reports <paramref name="from"/> to the segment's last version as not verified.</summary>
    private void NotVerified(int from, string why)
    {
        for (var version = from; version <= Last; version++)
        {
            findings.Add(new VerificationFinding(FindingSeverity.Defect, VerificationFindingKind.NotVerified, version, $"version {version}", $"version {version} was not verified: {why}"));
        }
    }
}
