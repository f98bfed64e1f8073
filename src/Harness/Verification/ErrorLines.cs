namespace Tcdb.Verification;

/// <summary>How an error message appears in a finding.</summary>
internal static class ErrorLines
{
    /// <summary>An error message on one line, cut to a readable length (the full text is in the migrator's exception).</summary>
    public static string First(string message, int maxLength = 400)
    {
        var line = string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(6));
        return line.Length <= maxLength ? line : line[..maxLength] + " …";
    }
}
