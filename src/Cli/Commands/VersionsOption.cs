using Tcdb.Schema;

namespace Tcdb.Cli.Commands;

/// <summary><c>--versions A..B</c> (also <c>A..</c>, <c>..B</c> or <c>A</c>; default every version), checked against the db directory.</summary>
internal static class VersionsOption
{
    public const string Name = "versions";

    /// <exception cref="UsageException">the range is malformed or names a version the directory does not have.</exception>
    public static VersionRange Parse(CliArgs args, DbSchema schema)
    {
        var text = args.Get(Name);
        try
        {
            return VersionRange.Parse(text, schema.LatestVersion);
        }
        catch (FormatException e)
        {
            throw new UsageException(text is null ? e.Message : $"--{Name} {text}: {e.Message}");
        }
    }
}
