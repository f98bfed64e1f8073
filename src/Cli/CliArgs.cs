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

                if (string.IsNullOrWhiteSpace(value))
                {
                    throw new UsageException($"option --{name} is given an empty value");
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

    /// <summary>A duration such as <c>5s</c>, <c>500ms</c>, <c>2min</c> or <c>1h</c> (a bare number is seconds); must be positive.</summary>
    public TimeSpan? GetDuration(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        var unit = text.TrimStart("0123456789.".ToCharArray());
        var number = text[..(text.Length - unit.Length)];
        if (double.TryParse(number, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            TimeSpan? duration = unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "" or "s" => TimeSpan.FromSeconds(value),
                "min" or "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => null,
            };
            if (duration is { } d)
            {
                return d;
            }
        }

        throw new UsageException($"option --{name} must be a positive duration such as 5s, 500ms, 2min or 1h, not '{text}'");
    }

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
}
