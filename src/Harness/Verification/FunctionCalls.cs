using Npgsql;

namespace Tcdb.Verification;

/// <summary>
/// Calls the stored functions of a version's shape after the upgrade (at N) and after the downgrade (at
/// N-1) and records each outcome; <see cref="FunctionVerdicts"/> judges them once every version is done.
/// Every method that exists at that version is called, except, unless the run is exhaustive, one whose
/// footprint an earlier call had: that call's outcome is recorded for it (<see cref="ProbeSelection"/>).
/// </summary>
internal sealed class FunctionCalls(VerificationRun run, int version, string connectionString)
{
    private readonly List<ProbeObservation> observations = [];

    public IReadOnlyList<ProbeObservation> Observations => observations;

    /// <summary>Calls the methods of N; <paramref name="atN"/> is what the database holds.</summary>
    public Task AfterUpgradeAsync(Snapshot atN, CancellationToken ct) => CallAsync(version, $"after the upgrade to {version}", atN, ct);

    /// <summary>Calls the methods of N-1; <paramref name="atPrevious"/> is what the database holds.</summary>
    public Task AfterDowngradeAsync(Snapshot atPrevious, CancellationToken ct) => CallAsync(version - 1, $"after the downgrade to {version - 1}", atPrevious, ct);

    private async Task CallAsync(int atVersion, string when, Snapshot state, CancellationToken ct)
    {
        if (atVersion == 0)
        {
            return;
        }

        var methods = run.Schema.EffectiveMethods(atVersion);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var results = run.Shortcuts is { } shortcuts
            ? await shortcuts.Probes.CallAsync(connection, atVersion, methods, state.Catalog, state.Data, ct)
            : await FunctionProbe.CallEachAsync(connection, methods, ct);
        foreach (var result in results)
        {
            var error = !result.IsDefect ? null : result.SqlState == "25006" ? $"read-mode method writes: {result.SqlState} {result.Error}" : $"{result.SqlState} {result.Error}";
            observations.Add(new ProbeObservation(result.Method, atVersion, when, error));
        }
    }
}
