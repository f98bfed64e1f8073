namespace Tcdb.Schema.Documents;

/// <summary>Collects every load error of a directory so they can be reported together.</summary>
internal sealed class ErrorList
{
    private readonly List<SchemaError> errors = [];

    public int Count => errors.Count;

    public IReadOnlyList<SchemaError> Items => errors;

    public void Add(SourceLocation location, string message) => errors.Add(new SchemaError(location, message));

    /// <summary>Throws a <see cref="SchemaLoadException"/> when anything was collected.</summary>
    public void ThrowIfAny()
    {
        if (errors.Count > 0)
        {
            throw new SchemaLoadException(errors.ToList());
        }
    }
}
