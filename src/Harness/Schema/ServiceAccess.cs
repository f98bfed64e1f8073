namespace Tcdb.Schema;

/// <summary>A table privilege from access.yml: read = SELECT; write = SELECT, INSERT, UPDATE, DELETE.</summary>
public enum TableAccess
{
    Read,
    Write,
}

/// <summary>One service of access.yml and the tables it may use. Equality ignores the location and table order.</summary>
public sealed record ServiceAccess(string Name, IReadOnlyDictionary<string, TableAccess> Tables, SourceLocation? Location = null)
{
    public bool Equals(ServiceAccess? other) =>
        other is not null
        && Name == other.Name
        && Tables.Count == other.Tables.Count
        && Tables.All(t => other.Tables.TryGetValue(t.Key, out var mode) && mode == t.Value);

    public override int GetHashCode() => HashCode.Combine(Name, Tables.Count);
}
