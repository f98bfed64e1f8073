namespace Tcdb.Schema;

/// <summary>Whether a stored function only reads (runs in a read-only transaction) or may write.</summary>
public enum MethodMode
{
    Read,
    Write,
}

/// <summary>
/// One entry of a version's <c>methods</c> mapping, exactly as written (external SQL files already inlined).
/// A deprecated stub has <see cref="Deprecated"/> set and no args, returns or body.
/// <see cref="Location"/> is the line of the method name, <see cref="BodyLocation"/> the first line of the body text
/// (line 1 of the external file when the body came from one).
/// </summary>
public sealed record DbMethod(
    string Name,
    string? Description,
    MethodMode? Mode,
    string? ServiceName,
    string? Args,
    string? Returns,
    string? Body,
    bool Deprecated,
    SourceLocation? Location = null,
    SourceLocation? BodyLocation = null)
{
    /// <summary>A stub only marks the function deprecated; no SQL is executed for it.</summary>
    public bool IsStub => Deprecated && string.IsNullOrEmpty(Args) && string.IsNullOrEmpty(Returns) && string.IsNullOrEmpty(Body);

    /// <summary>The entry carries a full definition that can be (re)created with <c>create or replace function</c>.</summary>
    public bool IsDefinition => !IsStub;

    /// <summary>Structural equality that ignores where the entry was read from.</summary>
    public bool SameDefinitionAs(DbMethod other) => Equals(other);

    /// <summary>Value equality over the content; <see cref="Location"/> and <see cref="BodyLocation"/> are provenance and ignored.</summary>
    public bool Equals(DbMethod? other) =>
        other is not null
        && Name == other.Name
        && Description == other.Description
        && Mode == other.Mode
        && ServiceName == other.ServiceName
        && Args == other.Args
        && Returns == other.Returns
        && Body == other.Body
        && Deprecated == other.Deprecated;

    public override int GetHashCode() => HashCode.Combine(Name, Description, Mode, ServiceName, Args, Returns, Body, Deprecated);
}
