namespace Tcdb.Schema;

/// <summary>
/// A db directory (or serialized schema, or waiver file) that cannot be used. Carries every problem found,
/// not just the first, so an author can fix them all in one pass.
/// </summary>
public sealed class SchemaLoadException : Exception
{
    public SchemaLoadException(IReadOnlyList<SchemaError> errors)
        : base(Describe(errors))
    {
        if (errors.Count == 0)
        {
            throw new ArgumentException("a load failure needs at least one error", nameof(errors));
        }

        Errors = errors;
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<SchemaError> Errors { get; }

    private static string Describe(IReadOnlyList<SchemaError> errors)
    {
        var header = errors.Count == 1 ? "1 error:" : $"{errors.Count} errors:";
        return header + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
