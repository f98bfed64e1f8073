using System.Globalization;
using System.Text.RegularExpressions;

namespace Tcdb.Versions.Tests.Support;

/// <summary>One line of <c>db/releases.txt</c>: a release and the database version it shipped with.</summary>
public sealed record Release(int Major, int Minor, int Patch, int DbVersion)
{
    public override string ToString() => $"v{Major}.{Minor}.{Patch}";
}

/// <summary>
/// <c>db/releases.txt</c> (lines <c>vX.Y.Z: N</c>, oldest first, <c>#</c> comments) and the support window it gives a
/// deprecated method: the method keeps working until the major release computed from the first release whose
/// database version is at least the deprecating version (the next major when that release is a major, else the
/// major after next; two majors after the latest release when the deprecation is not released yet).
/// </summary>
public sealed partial class Releases(IReadOnlyList<Release> releases)
{
    public IReadOnlyList<Release> All => releases;

    public static Releases Load(string dbDirectory)
    {
        var path = Path.Combine(dbDirectory, "releases.txt");
        var list = new List<Release>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var text = line.Split('#')[0].Trim();
            if (text.Length == 0)
            {
                continue;
            }

            var match = Line().Match(text);
            if (!match.Success)
            {
                throw new FormatException($"{path}:{lineNumber}: expected 'vMAJOR.MINOR.PATCH: DBVERSION', found '{text}'");
            }

            list.Add(new Release(Number(match, 1), Number(match, 2), Number(match, 3), Number(match, 4)));
        }

        return new Releases(list);
    }

    /// <summary>The major release until which a method deprecated in <paramref name="deprecatedIn"/> must keep working.</summary>
    public int GuaranteedUntilMajor(int deprecatedIn)
    {
        var first = releases.FirstOrDefault(r => r.DbVersion >= deprecatedIn);
        if (first is null)
        {
            return (releases.Count == 0 ? 0 : releases[^1].Major) + 2;
        }

        return first is { Minor: 0, Patch: 0 } ? first.Major + 1 : first.Major + 2;
    }

    /// <summary>Whether that guarantee still holds: no release of that major has shipped yet.</summary>
    public bool GuaranteeOpen(int deprecatedIn) => releases.All(r => r.Major < GuaranteedUntilMajor(deprecatedIn));

    private static int Number(Match match, int group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^v(\d+)\.(\d+)\.(\d+):\s*(\d+)$")]
    private static partial Regex Line();
}
