namespace Tcdb.Snapshots;

/// <summary>How an object differs between two snapshots.</summary>
public enum DifferenceKind
{
    /// <summary>Present only after (<c>+</c>).</summary>
    Added,

    /// <summary>Present only before (<c>-</c>).</summary>
    Removed,

    /// <summary>Present in both with a different property (<c>~</c>).</summary>
    Changed,

    /// <summary>Worth knowing but not a difference, e.g. a column re-added at the end of its table.</summary>
    Note,
}

/// <summary>
/// One line of a catalog diff. <see cref="ToString"/> gives the review-comment form, e.g.
/// <c>+ index public.widgets_name_idx</c>, <c>~ column public.widgets.size: default 0 -> none</c>.
/// </summary>
public sealed record CatalogDifference(
    DifferenceKind Kind,
    CatalogObjectKind ObjectKind,
    string QualifiedName,
    ObjectOrigin Origin,
    string? Change)
{
    /// <summary>True for an actual difference; false for a <see cref="DifferenceKind.Note"/>.</summary>
    public bool IsDifference => Kind != DifferenceKind.Note;

    public override string ToString()
    {
        var symbol = Kind switch
        {
            DifferenceKind.Added => "+",
            DifferenceKind.Removed => "-",
            DifferenceKind.Changed => "~",
            _ => "note:",
        };
        var origin = Origin == ObjectOrigin.Schema ? string.Empty : $" [{Origin.ToString().ToLowerInvariant()}]";
        var change = Change is null ? string.Empty : ": " + Change;
        return $"{symbol} {CatalogObject.Describe(ObjectKind)} {QualifiedName}{change}{origin}";
    }
}
