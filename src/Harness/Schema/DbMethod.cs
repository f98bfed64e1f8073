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
    SourceLocation? Location = null)
{
    /// <summary>A stub only marks the function deprecated; no SQL is executed for it.</summary>
    public bool IsStub => Deprecated && string.IsNullOrEmpty(Args) && string.IsNullOrEmpty(Returns) && string.IsNullOrEmpty(Body);

    /// <summary>The entry carries a full definition that can be (re)created with <c>create or replace function</c>.</summary>
    public bool IsDefinition => !IsStub;

    /// <summary>Structural equality that ignores where the entry was read from.</summary>
    public bool SameDefinitionAs(DbMethod other) => this with { Location = null } == other with { Location = null };
}
