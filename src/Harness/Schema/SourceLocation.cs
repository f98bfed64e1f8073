namespace Tcdb.Schema;

/// <summary>Where a YAML node came from: a file path and a 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
