using System.Globalization;
using System.Text.RegularExpressions;

namespace Tcdb.Servers;

/// <summary>
/// Which tcdb run made a database or role on a server. Every object tcdb creates there carries <see cref="Comment"/>
/// (the run's key, host, process id and start time), and while the run lasts one of its sessions holds a shared
/// advisory lock on (<see cref="LockClass"/>, <see cref="Key"/>). An object whose key no session holds belongs to
/// a run that is gone (killed, crashed, its machine lost): <see cref="Leftovers"/> drops it.
/// </summary>
public sealed partial record RunMark(int Key, string Host, int ProcessId, DateTimeOffset Started)
{
    /// <summary>The first half of every tcdb run lock: "tcdb" in ASCII.</summary>
    public const int LockClass = 0x74636462;

    /// <summary>This process's run.</summary>
    public static RunMark Current { get; } = new(
        Random.Shared.Next(1, int.MaxValue),
        Environment.MachineName,
        Environment.ProcessId,
        new DateTimeOffset(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero));

    /// <summary>e.g. <c>tcdb run 1a2b3c4d (host ci-7, pid 4242, started 2026-12-01T07:45:51Z)</c>.</summary>
    public string Comment => string.Create(
        CultureInfo.InvariantCulture,
        $"tcdb run {Key:x8} (host {Host}, pid {ProcessId}, started {Started.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})");

    /// <summary>The run a comment names, or null for a comment tcdb did not write.</summary>
    public static RunMark? Parse(string? comment)
    {
        if (comment is null || CommentPattern().Match(comment) is not { Success: true } m)
        {
            return null;
        }

        return new RunMark(
            int.Parse(m.Groups["key"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            m.Groups["host"].Value,
            int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(m.Groups["started"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    /// <summary>The comment's text as an SQL literal.</summary>
    public string CommentLiteral => Sql.Literal(Comment);

    [GeneratedRegex(@"^tcdb run (?<key>[0-9a-f]{8}) \(host (?<host>.*), pid (?<pid>[0-9]+), started (?<started>[0-9T:Z-]+)\)$")]
    private static partial Regex CommentPattern();
}
