using System.Globalization;

namespace Tcdb.Schema;

/// <summary>
/// The versions a run covers, <see cref="From"/> to <see cref="To"/> (both included), always inside 1..latest
/// of its db directory: validated here for every command and engine alike.
/// </summary>
public readonly record struct VersionRange
{
    private VersionRange(int from, int to)
    {
        From = from;
        To = to;
    }

    public int From { get; }

    public int To { get; }

    /// <summary>Whether the range is every version of a directory whose latest version is <paramref name="latest"/>.</summary>
    public bool IsWholeChain(int latest) => From == 1 && To == latest;

    /// <summary>
    /// The range <paramref name="from"/>..<paramref name="to"/> (null: the first or the latest version), cut to
    /// 1..<paramref name="latest"/>.
    /// </summary>
    /// <exception cref="ArgumentException">no version is left.</exception>
    public static VersionRange Within(int latest, int? from = null, int? to = null)
    {
        var first = Math.Max(1, from ?? 1);
        var last = Math.Min(latest, to ?? latest);
        return first <= last
            ? new VersionRange(first, last)
            : throw new ArgumentException($"no version in {first}..{last} (the directory has versions 1..{latest})");
    }

    /// <summary>
    /// Parses <c>A..B</c>, <c>A..</c>, <c>..B</c> or <c>A</c> (null: every version); every version named must exist.
    /// </summary>
    /// <exception cref="FormatException">a bound is not a version number, or names a version the directory does not have.</exception>
    public static VersionRange Parse(string? text, int latest)
    {
        if (text is null)
        {
            return latest >= 1 ? new VersionRange(1, latest) : throw new FormatException("the directory has no versions");
        }

        var parts = text.Split("..", 2);
        int Bound(string s, int fallback) => s.Length == 0
            ? fallback
            : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"'{s}' is not a version number");
        var from = Bound(parts[0], 1);
        var to = parts.Length == 2 ? Bound(parts[1], latest) : from;
        return from >= 1 && to <= latest && from <= to
            ? new VersionRange(from, to)
            : throw new FormatException($"the directory has versions 1..{latest}");
    }

    public void Deconstruct(out int from, out int to)
    {
        from = From;
        to = To;
    }

    public override string ToString() => $"{From}..{To}";
}
