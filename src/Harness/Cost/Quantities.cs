using System.Globalization;
using System.Text.RegularExpressions;

namespace Tcdb.Cost;

/// <summary>Durations and counts as people write them: <c>10s</c>, <c>500ms</c>, <c>~3 h</c>, <c>40 M rows</c>.</summary>
public static partial class Quantities
{
    /// <summary>Parses <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>2h</c> (a fraction is allowed: <c>1.5h</c>).</summary>
    /// <exception cref="FormatException">anything else, with what is accepted.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a duration: write a number and a unit, e.g. 500ms, 10s, 5m, 2h");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" or "min" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromHours(value),
        };
    }

    /// <summary>A duration with a unit that fits it: <c>0.8 ms</c>, <c>42 ms</c>, <c>3.1 s</c>, <c>12 min</c>, <c>2.9 h</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        var ms = duration.TotalMilliseconds;
        return ms switch
        {
            < 10 => string.Create(CultureInfo.InvariantCulture, $"{ms:0.0} ms"),
            < 1000 => string.Create(CultureInfo.InvariantCulture, $"{ms:0} ms"),
            < 60_000 => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.0} s"),
            < 3_600_000 => string.Create(CultureInfo.InvariantCulture, $"{ms / 60_000:0.0} min"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000:0.0} h"),
        };
    }

    /// <summary>A count in short form: <c>950</c>, <c>20 k</c>, <c>40 M</c>.</summary>
    public static string Count(double count) => count switch
    {
        < 10_000 => string.Create(CultureInfo.InvariantCulture, $"{count:0}"),
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1000:0.#} k"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1_000_000:0.#} M"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{count / 1_000_000_000:0.#} G"),
    };

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)$")]
    private static partial Regex DurationPattern();
}
