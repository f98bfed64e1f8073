namespace Tcdb.Verification;

/// <summary>
/// The rows a version's check starts from at N-1: the generic seed (<see cref="VersionSeed"/>; a table it
/// cannot fill is the warning seed-incomplete), then the version test's own seed. Returns the generic rows
/// inserted.
/// </summary>
internal sealed class SeedStep(VerificationRun run, int version, VersionContext context, FindingSink findings)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var report = await VersionSeed.SeedAsync(run, version, context.ConnectionString, ct);
        foreach (var unfilled in report.Unfilled)
        {
            findings.Warning(VerificationFindingKind.SeedIncomplete, $"table {unfilled.Table}", $"generic seed at version {version - 1}: {unfilled}");
        }

        if (run.Options.HooksFor(version).Seed is { } seed)
        {
            await seed(context);
        }

        return report.TotalRows;
    }
}
