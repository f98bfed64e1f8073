namespace Tcdb.Servers;

/// <summary>
/// initdb and postgres refuse to run as root. When this process is root, clusters run as an unprivileged
/// account: <c>TCDB_PG_USER</c>, else <c>postgres</c> if it exists, else a system user <c>tcdb-pg</c> created here.
/// </summary>
internal static class ClusterUser
{
    public const string UserVariable = "TCDB_PG_USER";
    private const string CreatedUser = "tcdb-pg";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? resolved;

    /// <summary>The account to run server programs as, or null to run them as this process's user.</summary>
    public static async Task<string?> ResolveAsync(CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return null;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (resolved is not null)
            {
                return resolved;
            }

            var wanted = Environment.GetEnvironmentVariable(UserVariable);
            if (!string.IsNullOrWhiteSpace(wanted))
            {
                if (!await ExistsAsync(wanted, cancellationToken))
                {
                    throw new ServerUnavailableException($"${UserVariable} names the user '{wanted}', which does not exist on this machine");
                }

                return resolved = wanted;
            }

            foreach (var candidate in new[] { "postgres", CreatedUser })
            {
                if (await ExistsAsync(candidate, cancellationToken))
                {
                    return resolved = candidate;
                }
            }

            var created = await ProcessRunner.RunAsync(
                "useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", CreatedUser], cancellationToken: cancellationToken);
            if (created.ExitCode != 0 && !await ExistsAsync(CreatedUser, cancellationToken))
            {
                throw new ServerUnavailableException(
                    $"running as root, PostgreSQL must run as an unprivileged user, and creating '{CreatedUser}' failed: {created.CombinedOutput}. " +
                    $"Create one yourself and name it in ${UserVariable}.");
            }

            return resolved = CreatedUser;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<bool> ExistsAsync(string user, CancellationToken cancellationToken) =>
        (await ProcessRunner.RunAsync("id", ["-u", user], cancellationToken: cancellationToken)).ExitCode == 0;
}
