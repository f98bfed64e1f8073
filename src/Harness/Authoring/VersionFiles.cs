using System.Globalization;
using System.Text.RegularExpressions;

namespace Tcdb.Authoring;

/// <summary>
/// Names of the files that belong to a version: <c>versions/NNNN.yml</c> in the db directory and
/// <c>VNNNNTest.cs</c> (class <c>VNNNNTest</c>) in the version-tests directory.
/// </summary>
public static partial class VersionFiles
{
    /// <summary>The four-digit form of a version number, e.g. 7 -> "0007".</summary>
    public static string Padded(int version) => version.ToString("D4", CultureInfo.InvariantCulture);

    public static string VersionFileName(int version) => $"{Padded(version)}.yml";

    public static string TestClassName(int version) => $"V{Padded(version)}Test";

    public static string TestFileName(int version) => $"{TestClassName(version)}.cs";

    /// <summary>
    /// Where version tests live by default: <c>tests/versions</c> next to the db directory's parent
    /// (for <c>REPO/db</c> that is <c>REPO/tests/versions</c>).
    /// </summary>
    public static string DefaultTestsDirectory(string dbDirectory)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dbDirectory))) ?? ".";
        return Path.Join(parent, "tests", "versions");
    }

    /// <summary>
    /// The version files of <paramref name="versionsDirectory"/> by number, read from file names the way the
    /// loader does (<c>N.yml</c> with any zero padding; dotfiles skipped). A number claimed twice keeps the first name.
    /// </summary>
    public static IReadOnlyDictionary<int, string> Find(string versionsDirectory)
    {
        var result = new SortedDictionary<int, string>();
        if (!Directory.Exists(versionsDirectory))
        {
            return result;
        }

        var names = Directory.EnumerateFiles(versionsDirectory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!name.StartsWith('.') && FileName().Match(name) is { Success: true } m
                && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
            {
                result.TryAdd(number, name);
            }
        }

        return result;
    }

    [GeneratedRegex(@"^([0-9]+)\.yml$")]
    private static partial Regex FileName();
}
