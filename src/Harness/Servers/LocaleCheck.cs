namespace Tcdb.Servers;

/// <summary>Makes sure the locale Taskcluster's sort order needs exists before a cluster is created with it.</summary>
internal static class LocaleCheck
{
    public const string Locale = "en_US.UTF-8";

    public static async Task EnsureAvailableAsync(CancellationToken cancellationToken, string locale = Locale)
    {
        var result = await ProcessRunner.RunAsync("locale", ["-a"], cancellationToken: cancellationToken);
        var available = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var wanted = locale.Replace("UTF-8", "utf8", StringComparison.OrdinalIgnoreCase);
        if (result.ExitCode == 0 && available.Any(l => l.Equals(wanted, StringComparison.OrdinalIgnoreCase) || l.Equals(locale, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        throw new ServerUnavailableException(
            $"the {locale} locale is not installed on this machine (locale -a lists: {string.Join(", ", available)}). " +
            "Taskcluster needs a database whose default collation sorts like en_US.UTF-8 (0 < a < A < b < B). " +
            $"Generate it with: apt-get install -y locales && sed -i 's/^# *{locale} UTF-8/{locale} UTF-8/' /etc/locale.gen && locale-gen " +
            "(./run-tests.sh --setup-only does this for en_US.UTF-8).");
    }
}
