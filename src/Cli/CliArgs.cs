namespace Tcdb.Cli;

/// <summary>Thrown for a command line that cannot be understood; exits with <see cref="ExitCodes.UnusableInput"/>.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// A tiny parser for <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options plus positional arguments.
/// Commands declare which options take values and which are flags; anything else is a usage error.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private CliArgs(IReadOnlyList<string> positional) => Positional = positional;

    public IReadOnlyList<string> Positional { get; }

    public static CliArgs Parse(IEnumerable<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flagOptions)
    {
        var positional = new List<string>();
        var parsed = new List<(string, string?)>();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positional.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }

            if (valueOptions.Contains(name))
            {
                if (value is null)
                {
                    if (!e.MoveNext())
                    {
                        throw new UsageException($"option --{name} needs a value");
                    }

                    value = e.Current;
                }
            }
            else if (flagOptions.Contains(name))
            {
                if (value is not null)
                {
                    throw new UsageException($"option --{name} takes no value");
                }
            }
            else
            {
                var known = valueOptions.Concat(flagOptions).OrderBy(o => o, StringComparer.Ordinal).Select(o => "--" + o);
                throw new UsageException($"unknown option --{name} (known: {string.Join(", ", known)})");
            }

            parsed.Add((name, value));
        }

        var result = new CliArgs(positional);
        foreach (var (name, value) in parsed)
        {
            if (!result.options.TryAdd(name, value))
            {
                throw new UsageException($"option --{name} given twice");
            }
        }

        return result;
    }

    public bool Has(string name) => options.ContainsKey(name);

    public string? Get(string name) => options.TryGetValue(name, out var value) ? value : null;

    public string Get(string name, string fallback) => Get(name) ?? fallback;

    public int? GetInt(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"option --{name} must be a non-negative integer, not '{text}'");
    }

    /// <summary>A duration: a number with a unit, <c>500ms</c>, <c>30s</c>, <c>10m</c> or <c>2h</c>.</summary>
    public TimeSpan? GetDuration(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        var match = System.Text.RegularExpressions.Regex.Match(text, "^([0-9]+)(ms|s|m|h)$");
        if (!match.Success || !long.TryParse(match.Groups[1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount) || amount == 0)
        {
            throw new UsageException($"option --{name} must be a positive duration such as 500ms, 30s, 10m or 2h, not '{text}'");
        }

        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromHours(amount),
        };
    }
}
