namespace Tcdb.Servers;

/// <summary>Makes sure the locale Taskcluster's sort order needs exists before a cluster is created with it.</summary>
internal static class LocaleCheck
{
    public const string Locale = "en_US.UTF-8";

    public static async Task EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync("locale", ["-a"], cancellationToken: cancellationToken);
        var available = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (result.ExitCode == 0 && available.Any(l => l.Equals("en_US.utf8", StringComparison.OrdinalIgnoreCase) || l.Equals("en_US.UTF-8", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        throw new ServerUnavailableException(
            $"the {Locale} locale is not installed on this machine (locale -a lists: {string.Join(", ", available)}). " +
            "Taskcluster needs a database whose default collation sorts like en_US.UTF-8 (0 < a < A < b < B). " +
            "Generate it with: apt-get install -y locales && sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen && locale-gen " +
            "(./run-tests.sh --setup-only does this).");
    }
}
