using System.Globalization;

namespace Tcdb.Servers;

/// <summary>
/// The folder of one throwaway cluster: <c>data/</c>, <c>socket/</c>, <c>server.log</c> and an <c>owner</c>
/// file naming the process (pid and start time) that owns it, so a later run can tell a dead owner.
/// </summary>
internal sealed class ClusterDirectory(string path)
{
    public const string Pattern = "cluster-*";

    public string Path { get; } = path;

    public string DataPath => System.IO.Path.Combine(Path, "data");

    public string SocketPath => System.IO.Path.Combine(Path, "socket");

    public string LogPath => System.IO.Path.Combine(Path, "server.log");

    private string OwnerPath => System.IO.Path.Combine(Path, "owner");

    public static ClusterDirectory Create(string root)
    {
        var directory = new ClusterDirectory(System.IO.Path.Combine(root, $"cluster-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]));
        Directory.CreateDirectory(directory.Path);
        File.WriteAllText(directory.OwnerPath, $"{Environment.ProcessId} {ProcessStartTicks(Environment.ProcessId)}\n");
        return directory;
    }

    /// <summary>Copies the pristine data directory in and hands the folder to the server's user.</summary>
    public async Task PopulateAsync(string pristineDataPath, string? runAs, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(SocketPath);
        var copy = await ProcessRunner.RunAsync("cp", ["-a", pristineDataPath, DataPath], cancellationToken: cancellationToken);
        if (copy.ExitCode != 0)
        {
            throw new ServerUnavailableException($"could not copy the pristine data directory {pristineDataPath} to {DataPath}: {copy.CombinedOutput}");
        }

        if (runAs is not null)
        {
            var chown = await ProcessRunner.RunAsync("chown", ["-R", runAs, Path], cancellationToken: cancellationToken);
            if (chown.ExitCode != 0)
            {
                throw new ServerUnavailableException($"could not give {Path} to user {runAs}: {chown.CombinedOutput}");
            }
        }
    }

    /// <summary>True when the owner process is gone (or was replaced by another process with the same pid).</summary>
    public bool IsStale()
    {
        string[] owner;
        try
        {
            owner = File.ReadAllText(OwnerPath).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (IOException)
        {
            // No owner file: a creation that died half-way; stale once it is not brand new.
            return Directory.GetLastWriteTimeUtc(Path) < DateTime.UtcNow.AddMinutes(-5);
        }

        if (owner.Length < 2 || !int.TryParse(owner[0], out var pid))
        {
            return true;
        }

        var ticks = ProcessStartTicks(pid);
        return ticks is null || ticks != owner[1];
    }

    /// <summary>Kills the cluster's postmaster (read from postmaster.pid) if it still runs.</summary>
    public void KillPostmaster()
    {
        try
        {
            var lines = File.ReadAllLines(System.IO.Path.Combine(DataPath, "postmaster.pid"));
            if (lines.Length > 0 && int.TryParse(lines[0], out var pid))
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Not running, or already gone.
        }
    }

    public void Delete()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; a later run retries through the stale-cluster sweep.
        }
    }

    public string TailOfLog()
    {
        try
        {
            var lines = File.ReadAllLines(LogPath);
            return "server log (last lines):" + Environment.NewLine + string.Join(Environment.NewLine, lines.TakeLast(15));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    /// <summary>Field 22 of /proc/PID/stat: the process start time in clock ticks since boot.</summary>
    internal static string? ProcessStartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return afterName[19].ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
