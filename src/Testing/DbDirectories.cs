using Tcdb.Schema;

namespace Tcdb.Testing;

/// <summary>Finds and loads the db directory tests run against, once per directory per test run.</summary>
public static class DbDirectories
{
    private static readonly Dictionary<string, DbSchema> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>Names the db directory tests run against instead of the one found above the bin folder (how <c>tcdb mutate --tests</c> gives a test a mutant).</summary>
    public const string DirectoryVariable = "TCDB_DB_DIR";

    /// <summary>
    /// <c>$TCDB_DB_DIR</c> when set and no <paramref name="start"/> is given; else the first <c>db</c> folder holding
    /// <c>versions/</c> found walking up from <paramref name="start"/> (default: the test's bin folder).
    /// </summary>
    public static string Find(string? start = null)
    {
        if (start is null && Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } named)
        {
            return Directory.Exists(Path.Combine(named, "versions"))
                ? named
                : throw new DirectoryNotFoundException($"{DirectoryVariable}={named} holds no versions/ folder; name a db directory");
        }

        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "db");
            if (Directory.Exists(Path.Combine(candidate, "versions")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no db/versions folder in {start ?? AppContext.BaseDirectory} or any folder above it; override DbDirectory to name the db directory");
    }

    /// <summary>Loads a directory once per test run (the loader's errors surface as the test's failure).</summary>
    public static DbSchema Load(string directory)
    {
        var full = Path.GetFullPath(directory);
        lock (Gate)
        {
            if (!Loaded.TryGetValue(full, out var schema))
            {
                Loaded[full] = schema = SchemaLoader.Load(full);
            }

            return schema;
        }
    }
}
