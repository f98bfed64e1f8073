namespace Tcdb.Schema;

/// <summary>One problem found while loading a db directory or a serialized schema.</summary>
/// <param name="Location">Where the problem is; <see cref="SourceLocation.Line"/> is 0 when only the file is known.</param>
/// <param name="Message">What is wrong and what is expected, naming the version and method where that applies.</param>
public sealed record SchemaError(SourceLocation Location, string Message)
{
    /// <summary><c>file:line:column: message</c>, the form editors and terminals turn into links.</summary>
    public override string ToString() => $"{Location}: {Message}";
}
