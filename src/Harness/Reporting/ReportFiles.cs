using System.Text;

namespace Tcdb.Reporting;

/// <summary>What the report writers of every command share: how a report file is written and how Markdown tables hold text.</summary>
internal static class ReportFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> as UTF-8 without a byte-order mark, creating its directory.</summary>
    public static void Write(string path, string text)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, text, Utf8);
    }

    /// <summary>Text as one cell of a Markdown table: every line break becomes one space, and <c>|</c> is escaped.</summary>
    public static string MarkdownCell(string text) =>
        string.Join(' ', text.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|", StringComparison.Ordinal);
}
