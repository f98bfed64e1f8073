namespace Tcdb.Schema;

/// <summary>One parameter of a method's <c>args</c> text: an optional name and a type as written.</summary>
public sealed record MethodArgument(string? Name, string Type);

/// <summary>Splits a method's verbatim <c>args</c> text (e.g. <c>task_id_in text, run_id_in integer</c>) into parameters.</summary>
public static class MethodArguments
{
    private static readonly HashSet<string> Modes = new(StringComparer.OrdinalIgnoreCase) { "in", "out", "inout", "variadic" };

    /// <summary>Parses the text between the parentheses of <c>create function</c>; empty or null gives no parameters.</summary>
    public static IReadOnlyList<MethodArgument> Parse(string? args)
    {
        var result = new List<MethodArgument>();
        if (string.IsNullOrWhiteSpace(args))
        {
            return result;
        }

        foreach (var piece in SplitTopLevel(args))
        {
            var words = piece.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
            if (words.Count > 0 && Modes.Contains(words[0]) && words.Count > 1)
            {
                words.RemoveAt(0);
            }

            var defaultAt = words.FindIndex(w => w.Equals("default", StringComparison.OrdinalIgnoreCase) || w == "=");
            if (defaultAt >= 0)
            {
                words = words.Take(defaultAt).ToList();
            }

            result.Add(words.Count >= 2 && !LooksLikeTypeStart(words[0], words[1])
                ? new MethodArgument(words[0].Trim('"'), string.Join(' ', words.Skip(1)))
                : new MethodArgument(null, string.Join(' ', words)));
        }

        return result;
    }

    /// <summary>"double precision", "character varying(5)", "timestamp with time zone" start with a type word, not a name.</summary>
    private static bool LooksLikeTypeStart(string first, string second) =>
        (first.ToLowerInvariant(), second.ToLowerInvariant()) is ("double", "precision") or ("character", _) or ("bit", "varying") ||
        (first.StartsWith("timestamp", StringComparison.OrdinalIgnoreCase) && second is "with" or "without") ||
        (first.StartsWith("time", StringComparison.OrdinalIgnoreCase) && second is "with" or "without");

    /// <summary>Splits on commas outside parentheses and brackets (so <c>numeric(10, 2)</c> stays whole), trimming each part.</summary>
    public static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i].Trim();
                    start = i + 1;
                    break;
            }
        }

        var last = text[start..].Trim();
        if (last.Length > 0)
        {
            yield return last;
        }
    }
}
