namespace Tcdb.Cli.Commands;

/// <summary><c>--report FILE</c>: a report file whose extension chooses the format, checked before any work starts.</summary>
internal static class ReportOption
{
    public const string Name = "report";

    /// <summary>
    /// The file <c>--report</c> names, or null: its extension must be one of <paramref name="extensions"/>
    /// (<paramref name="formats"/> says which in the message), and it must be writable (its directory is created).
    /// </summary>
    /// <exception cref="UsageException">another extension, or the file cannot be written.</exception>
    public static string? Get(CliArgs args, IReadOnlyList<string> extensions, string formats)
    {
        if (args.Get(Name) is not { } report)
        {
            return null;
        }

        if (!extensions.Contains(Path.GetExtension(report).ToLowerInvariant()))
        {
            throw new UsageException($"--{Name} {report}: the extension chooses the format: {formats}");
        }

        OutputFile.Check("--" + Name, report, createDirectory: true);
        return report;
    }
}
