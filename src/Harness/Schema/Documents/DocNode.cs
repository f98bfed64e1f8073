namespace Tcdb.Schema.Documents;

/// <summary>
/// A parsed YAML or JSON value with the place it was read from. Both file formats are turned into these
/// nodes so one set of readers validates a directory and a serialized schema alike.
/// </summary>
internal abstract record DocNode(SourceLocation Location)
{
    /// <summary>How the node is named in messages: "a mapping", "the string \"1\"", ...</summary>
    public abstract string Describe();
}

/// <summary>What a scalar resolves to under the YAML 1.2 core schema (or what JSON token it was).</summary>
internal enum ScalarKind
{
    String,
    Integer,
    Float,
    Boolean,
    Null,
}

/// <summary>
/// A scalar value. <see cref="ContentLocation"/> is where the text itself starts (the line after a
/// <c>|-</c> header for block scalars), used to map a line inside SQL text back to the file.
/// </summary>
internal sealed record DocScalar(string Value, ScalarKind Kind, SourceLocation Location, SourceLocation ContentLocation) : DocNode(Location)
{
    public bool IsNull => Kind == ScalarKind.Null;

    public override string Describe() => Kind switch
    {
        ScalarKind.Null => "an empty value",
        ScalarKind.String => $"the string \"{Shorten(Value)}\"",
        ScalarKind.Integer => $"the number {Value}",
        ScalarKind.Float => $"the number {Value}",
        _ => $"the boolean {Value}",
    };

    private static string Shorten(string text)
    {
        var firstLine = text.Split('\n')[0];
        return firstLine.Length > 40 || firstLine.Length < text.Length ? firstLine[..Math.Min(40, firstLine.Length)] + "..." : firstLine;
    }
}

/// <summary>A mapping, keys unique and in document order.</summary>
internal sealed record DocMapping(IReadOnlyList<KeyValuePair<DocScalar, DocNode>> Entries, SourceLocation Location) : DocNode(Location)
{
    public override string Describe() => Entries.Count == 0 ? "an empty mapping" : "a mapping";

    public DocNode? Get(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    public DocScalar? KeyOf(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Key;
}

/// <summary>A sequence.</summary>
internal sealed record DocSequence(IReadOnlyList<DocNode> Items, SourceLocation Location) : DocNode(Location)
{
    public override string Describe() => Items.Count == 0 ? "an empty list" : "a list";
}
