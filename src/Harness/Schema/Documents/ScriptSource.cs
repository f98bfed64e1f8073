namespace Tcdb.Schema.Documents;

/// <summary>
/// Resolves <c>migrationScript</c>, <c>downgradeScript</c> and <c>body</c> values the way Taskcluster does:
/// text containing a newline is SQL; a single line naming an existing file next to the version file
/// (relative to <c>versions/</c>) is replaced by that file's UTF-8 content; anything else stays literal SQL.
/// A name that is a directory is an error (Taskcluster crashes with EISDIR).
/// </summary>
internal static class ScriptSource
{
    /// <param name="scalar">The value as written, or null when absent.</param>
    /// <param name="sqlDirectory">The directory holding the version file, or null when external files are not allowed (serialized input).</param>
    /// <param name="errors">Where a directory path or unreadable file is recorded.</param>
    /// <param name="owner">How messages name the field, e.g. "version 3, method get_widget: body".</param>
    public static (string? Text, SourceLocation? Location) Resolve(DocScalar? scalar, string? sqlDirectory, ErrorList errors, string owner)
    {
        if (scalar is null || scalar.Value.Length == 0)
        {
            return (scalar?.Value, scalar?.ContentLocation);
        }

        if (sqlDirectory is null || scalar.Value.Contains('\n'))
        {
            return (scalar.Value, scalar.ContentLocation);
        }

        var path = Path.Join(sqlDirectory, scalar.Value);
        try
        {
            if (Directory.Exists(path))
            {
                errors.Add(scalar.ContentLocation, $"{owner} names '{scalar.Value}', which is a directory ({path}); expected SQL text or the name of a .sql file in {sqlDirectory}");
                return (null, null);
            }

            return File.Exists(path)
                ? (File.ReadAllText(path, System.Text.Encoding.UTF8), new SourceLocation(path, 1, 1))
                : (scalar.Value, scalar.ContentLocation);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            errors.Add(scalar.ContentLocation, $"{owner} names the file {path}, which cannot be read ({e.Message}); expected a readable UTF-8 .sql file");
            return (null, null);
        }
    }
}
