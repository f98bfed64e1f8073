namespace Tcdb.Servers;

/// <summary>
/// One initdb'd data directory per major, binaries and user, kept in the clusters folder and copied for
/// every new cluster: copying takes a fraction of initdb's time.
/// </summary>
internal static class PristineDataDirectory
{
    public static async Task<string> GetAsync(PostgresBinaries binaries, string? runAs, string root, CancellationToken cancellationToken)
    {
        var name = $"pristine-{binaries.Major}-{ServerPrograms.Hash(binaries.BinDirectory + "|" + runAs + "|" + LocaleCheck.Locale)}";
        var final = Path.Combine(root, name);
        var data = Path.Combine(final, "data");
        if (File.Exists(Path.Combine(final, "ready")))
        {
            return data;
        }

        await LocaleCheck.EnsureAvailableAsync(cancellationToken);
        var staging = Path.Combine(root, $"{name}-staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            if (runAs is not null)
            {
                await ProcessRunner.RunAsync("chown", [runAs, staging], cancellationToken: cancellationToken);
            }

            var initdb = await ProcessRunner.RunAsync(
                binaries.InitDb,
                ["-D", Path.Combine(staging, "data"), "-U", "postgres", "--auth=trust", $"--locale={LocaleCheck.Locale}", "-E", "UTF8", "--no-sync"],
                runAs,
                TimeSpan.FromMinutes(3),
                cancellationToken);
            if (initdb.ExitCode != 0)
            {
                throw new ServerUnavailableException($"initdb of PostgreSQL {binaries.Major} failed ({binaries.InitDb}, exit {initdb.ExitCode}): {initdb.CombinedOutput}");
            }

            await File.WriteAllTextAsync(Path.Combine(staging, "ready"), binaries.BinDirectory + "\n", cancellationToken);
            try
            {
                Directory.Move(staging, final);
            }
            catch (IOException) when (File.Exists(Path.Combine(final, "ready")))
            {
                // Another process made it first; use theirs.
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return data;
    }
}
