namespace Tcdb.Schema;

/// <summary>
/// A method as it exists at some version: the last full definition at or before that version,
/// whether the last entry deprecated it, and the version of that last entry.
/// </summary>
public sealed record EffectiveMethod(DbMethod Definition, int DefinedInVersion, int LastEntryVersion, bool Deprecated)
{
    public string Name => Definition.Name;
}
