using Npgsql;
using Tcdb.Schema;

namespace Tcdb.Verification;

/// <summary>
/// Calls the stored functions of a version's shape after the upgrade (at N) and after the downgrade (at
/// N-1) and records each outcome; <see cref="FunctionVerdicts"/> judges them once every version is done.
/// </summary>
internal sealed class FunctionCalls(DbSchema schema, int version, string connectionString)
{
    private readonly List<ProbeObservation> observations = [];

    public IReadOnlyList<ProbeObservation> Observations => observations;

    public Task AfterUpgradeAsync(CancellationToken ct) => CallAsync(version, $"after the upgrade to {version}", MethodsToCallAfterUpgrade(), ct);

    public Task AfterDowngradeAsync(CancellationToken ct) => CallAsync(version - 1, $"after the downgrade to {version - 1}", MethodsToCallAfterDowngrade(), ct);

    /// <summary>A version without a migration script changed no table: only its own methods can break.</summary>
    private IReadOnlyCollection<string>? MethodsToCallAfterUpgrade()
    {
        var entry = schema.GetVersion(version);
        return entry.HasScripts ? null : entry.Methods.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A version without a downgrade script changed nothing on the way down but its own methods.</summary>
    private IReadOnlyCollection<string>? MethodsToCallAfterDowngrade()
    {
        var entry = schema.GetVersion(version);
        return string.IsNullOrEmpty(entry.DowngradeScript) ? entry.Methods.Select(m => m.Name).ToHashSet(StringComparer.Ordinal) : null;
    }

    /// <summary>Calls the methods that exist at <paramref name="atVersion"/> (all, or those in <paramref name="only"/>).</summary>
    private async Task CallAsync(int atVersion, string when, IReadOnlyCollection<string>? only, CancellationToken ct)
    {
        if (atVersion == 0)
        {
            return;
        }

        var methods = schema.EffectiveMethods(atVersion).Where(m => only is null || only.Contains(m.Name)).ToList();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (var result in await FunctionProbe.CallEachAsync(connection, methods, ct))
        {
            var error = !result.IsDefect ? null : result.SqlState == "25006" ? $"read-mode method writes: {result.SqlState} {result.Error}" : $"{result.SqlState} {result.Error}";
            observations.Add(new ProbeObservation(result.Method, atVersion, when, error));
        }
    }
}
