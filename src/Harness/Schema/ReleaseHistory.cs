using System.Globalization;
using System.Text.RegularExpressions;

namespace Tcdb.Schema;

/// <summary>One release and the db version it shipped: a line <c>v44.0.0: 71</c> of releases.txt.</summary>
public sealed record Release(int Major, int Minor, int Patch, int DbVersion, SourceLocation Location)
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"v{Major}.{Minor}.{Patch}");

    public bool IsMajor => Minor == 0 && Patch == 0;
}

/// <summary>
/// Which db version shipped in which release (<c>releases.txt</c>: one <c>vX.Y.Z: N</c> line per release,
/// in release order, <c>#</c> comments and blank lines allowed), and the compatibility window that follows
/// from it for deprecated functions: a function deprecated at db version D keeps working until the major
/// release after the first release that shipped D — the next major if that release is itself a major
/// (<c>vM.0.0</c>), otherwise the one after — or, when no release shipped D yet, until two majors after the
/// latest release.
/// </summary>
public sealed partial class ReleaseHistory
{
    private ReleaseHistory(IReadOnlyList<Release> releases, string path)
    {
        Releases = releases;
        Path = path;
    }

    public IReadOnlyList<Release> Releases { get; }

    public string Path { get; }

    /// <summary>The name of the releases file in a db directory.</summary>
    public const string DefaultFileName = "releases.txt";

    /// <summary>Reads a releases file; a malformed line is a <see cref="SchemaLoadException"/> naming file and line.</summary>
    public static ReleaseHistory Load(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SchemaLoadException([new SchemaError(new SourceLocation(path, 0, 0), $"cannot read the releases file: {e.Message}")]);
        }

        var releases = new List<Release>();
        var errors = new List<SchemaError>();
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i];
            var hash = text.IndexOf('#', StringComparison.Ordinal);
            text = (hash >= 0 ? text[..hash] : text).Trim();
            if (text.Length == 0)
            {
                continue;
            }

            var location = new SourceLocation(path, i + 1, 1);
            var match = ReleaseLine().Match(text);
            if (!match.Success)
            {
                errors.Add(new SchemaError(location, $"expected a line like 'v44.0.0: 71' (release: db version), not '{text}'"));
                continue;
            }

            int Number(int group) => int.Parse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            releases.Add(new Release(Number(1), Number(2), Number(3), Number(4), location));
        }

        if (errors.Count > 0)
        {
            throw new SchemaLoadException(errors);
        }

        return new ReleaseHistory(releases, path);
    }

    /// <summary>
    /// The release until which a function deprecated at <paramref name="deprecatedAt"/> must keep working,
    /// as <c>(name, db version that release shipped)</c>; the db version is null while that release has not
    /// happened (the guarantee is still open).
    /// </summary>
    public (string Release, int? DbVersion) GuaranteeFor(int deprecatedAt)
    {
        var shipping = Releases.FirstOrDefault(r => r.DbVersion >= deprecatedAt);
        int untilMajor;
        if (shipping is null)
        {
            var latestMajor = Releases.Count == 0 ? 0 : Releases.Max(r => r.Major);
            untilMajor = latestMajor + 2;
        }
        else
        {
            untilMajor = shipping.IsMajor ? shipping.Major + 1 : shipping.Major + 2;
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"v{untilMajor}.0.0");
        var end = Releases.FirstOrDefault(r => r.Major >= untilMajor);
        return (name, end?.DbVersion);
    }

    [GeneratedRegex(@"^v(\d+)\.(\d+)\.(\d+)\s*:\s*(\d+)$")]
    private static partial Regex ReleaseLine();
}
