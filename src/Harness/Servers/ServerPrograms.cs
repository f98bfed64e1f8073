using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Tcdb.Servers;

/// <summary>Checks that the server programs run (as the cluster user) and are of the wanted major.</summary>
internal static partial class ServerPrograms
{
    /// <summary>
    /// Returns binaries the cluster user can execute: the same ones, or a world-readable copy of their
    /// installation when they sit where that user cannot reach (e.g. a repository under /root).
    /// </summary>
    public static async Task<PostgresBinaries> MakeRunnableAsync(PostgresBinaries binaries, string? runAs, CancellationToken cancellationToken)
    {
        var probe = await ProcessRunner.RunAsync(binaries.Postgres, ["--version"], runAs, TimeSpan.FromSeconds(30), cancellationToken);
        if (probe.ExitCode != 0 && runAs is not null)
        {
            var copyRoot = Path.Combine("/var/tmp/tcdb-pg", $"{binaries.Major}-{Hash(binaries.InstallRoot)}");
            if (!File.Exists(Path.Combine(copyRoot, "bin", "postgres")))
            {
                var staging = copyRoot + "-" + Guid.NewGuid().ToString("N")[..8];
                Directory.CreateDirectory(staging);
                var copy = await ProcessRunner.RunAsync("cp", ["-a", binaries.InstallRoot + "/.", staging], cancellationToken: cancellationToken);
                var chmod = await ProcessRunner.RunAsync("chmod", ["-R", "a+rX", "/var/tmp/tcdb-pg"], cancellationToken: cancellationToken);
                if (copy.ExitCode != 0 || chmod.ExitCode != 0)
                {
                    throw new ServerUnavailableException($"user {runAs} cannot run {binaries.Postgres} and copying it to {copyRoot} failed: {copy.CombinedOutput} {chmod.CombinedOutput}");
                }

                try
                {
                    Directory.Move(staging, copyRoot);
                }
                catch (IOException)
                {
                    Directory.Delete(staging, recursive: true);
                }
            }

            binaries = binaries with { BinDirectory = Path.Combine(copyRoot, "bin") };
            probe = await ProcessRunner.RunAsync(binaries.Postgres, ["--version"], runAs, TimeSpan.FromSeconds(30), cancellationToken);
        }

        if (probe.ExitCode != 0)
        {
            throw new ServerUnavailableException($"{binaries.Postgres} does not run{(runAs is null ? string.Empty : $" as user {runAs}")}: {probe.CombinedOutput}");
        }

        var match = VersionPattern().Match(probe.StandardOutput);
        if (!match.Success || int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) != binaries.Major)
        {
            throw new ServerUnavailableException($"{binaries.Postgres} reports '{probe.StandardOutput.Trim()}', not PostgreSQL {binaries.Major}");
        }

        return binaries;
    }

    internal static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
