using Tcdb.Policy;
using Tcdb.Schema;

namespace Tcdb.Cli.Commands;

/// <summary>
/// <c>--db-dir</c> as every command reads it: a db directory (default <c>./db</c>) or, where the command can work
/// from one, a serialized schema (a <c>.json</c> file, see <see cref="SchemaJson"/>); and the files that go with a
/// db directory (waivers, releases, accepted findings). Whatever cannot be loaded is a
/// <see cref="DbDirectoryException"/>: one message naming every error, exit code 2.
/// </summary>
internal static class DbDirectoryOption
{
    public const string Name = "db-dir";

    public const string Default = "db";

    /// <summary>What <c>--db-dir</c> names, as given.</summary>
    public static string Source(CliArgs args) => args.Get(Name, Default);

    /// <summary>
    /// Loads <c>--db-dir</c>: a path ending in <c>.json</c> that is not a directory is a serialized schema (when
    /// <paramref name="serializedAllowed"/>), anything else a db directory.
    /// </summary>
    /// <exception cref="DbDirectoryException">it cannot be loaded.</exception>
    /// <exception cref="UsageException">a serialized schema where the command needs the directory itself.</exception>
    public static DbSchema Load(CliArgs args, bool serializedAllowed = true)
    {
        var source = Source(args);
        var serialized = source.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(source);
        if (serialized && !serializedAllowed)
        {
            throw new UsageException($"--db-dir {source}: this command works on the files of a db directory, not on a serialized schema");
        }

        return Loading(source, () => serialized ? SchemaJson.ReadFile(source) : SchemaLoader.Load(source));
    }

    /// <summary>
    /// The file that <paramref name="option"/> names, else <paramref name="defaultName"/> in the db directory when it
    /// exists there, loaded by <paramref name="load"/>; <paramref name="none"/> when there is neither.
    /// </summary>
    /// <exception cref="DbDirectoryException">the file cannot be loaded (a file the option names must exist).</exception>
    public static T Companion<T>(CliArgs args, string option, string defaultName, Func<string, T> load, T none)
    {
        var source = Source(args);
        var path = args.Get(option) ?? (Directory.Exists(source) && File.Exists(Path.Join(source, defaultName)) ? Path.Join(source, defaultName) : null);
        return path is null ? none : Loading(source, () => load(path));
    }

    /// <summary><c>--waivers FILE</c>, else the db directory's policy waiver file; none when there is neither.</summary>
    /// <exception cref="DbDirectoryException">the file cannot be loaded.</exception>
    public static IReadOnlyList<PolicyWaiver> Waivers(CliArgs args) =>
        Companion(args, "waivers", PolicyWaiver.DefaultFileName, PolicyWaiver.Load, []);

    /// <summary><c>--releases FILE</c>, else the db directory's release history; null when there is neither.</summary>
    /// <exception cref="DbDirectoryException">the file cannot be loaded.</exception>
    public static ReleaseHistory? Releases(CliArgs args) =>
        Companion<ReleaseHistory?>(args, "releases", ReleaseHistory.DefaultFileName, ReleaseHistory.Load, null);

    private static T Loading<T>(string source, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (SchemaLoadException e)
        {
            throw new DbDirectoryException(source, e);
        }
    }
}

/// <summary>A db directory, serialized schema or companion file that cannot be loaded: every error, and what <c>--db-dir</c> named.</summary>
internal sealed class DbDirectoryException(string source, SchemaLoadException inner) : Exception(inner.Message, inner)
{
    /// <summary>What <c>--db-dir</c> named.</summary>
    public string DbDirectory { get; } = source;

    public IReadOnlyList<SchemaError> Errors => inner.Errors;

    /// <summary>The lines a command prints: a header naming the source and the count, then one line per error.</summary>
    public IEnumerable<string> Lines(string command) =>
        [$"tcdb {command}: {DbDirectory} cannot be loaded ({(Errors.Count == 1 ? "1 error" : $"{Errors.Count} errors")}):", .. Errors.Select(e => e.ToString())];
}
