namespace Tcdb.Cli;

/// <summary>Console lines stay readable: SQL and multi-line messages are folded into one line and trimmed.</summary>
public static class ConsoleText
{
    /// <summary>The longest line printed for one finding; reports keep the full text.</summary>
    public const int MaxLine = 240;

    /// <summary>
    /// <paramref name="text"/> with every run of whitespace (line breaks included) folded into one space, cut at
    /// <see cref="MaxLine"/> characters with a pointer to where the full text is.
    /// </summary>
    public static string OneLine(string text, string fullTextIn = "the report (--report FILE)")
    {
        var line = string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        if (line.Length <= MaxLine)
        {
            return line;
        }

        var suffix = $" ... [{line.Length} characters; the full text is in {fullTextIn}]";
        return line[..(MaxLine - suffix.Length)] + suffix;
    }

    /// <summary>Progress lines from an engine that reports from several threads: one at a time, each as <see cref="OneLine"/>.</summary>
    public static Action<string> Progress(TextWriter log)
    {
        var gate = new object();
        return line =>
        {
            lock (gate)
            {
                log.WriteLine(OneLine(line));
            }
        };
    }
}
