namespace Tcdb.Schema.Documents;

/// <summary>Small typed accessors over <see cref="DocNode"/>s that record an error instead of throwing.</summary>
internal static class Fields
{
    /// <summary>
    /// A text value: any non-null scalar as written (YAML <c>description: 42</c> is the text "42"), null when absent
    /// or empty-valued. A mapping or list records <paramref name="what"/> as an error.
    /// </summary>
    public static DocScalar? Text(DocNode? node, ErrorList errors, string what)
    {
        switch (node)
        {
            case null:
                return null;
            case DocScalar { IsNull: true }:
                return null;
            case DocScalar scalar:
                return scalar;
            default:
                errors.Add(node.Location, $"{what} must be text, found {node.Describe()}");
                return null;
        }
    }

    /// <summary>Records one error per key that is not in <paramref name="allowed"/>.</summary>
    public static void RejectUnknownKeys(DocMapping mapping, IReadOnlyList<string> allowed, ErrorList errors, string owner)
    {
        foreach (var key in mapping.Entries.Select(e => e.Key).Where(k => !allowed.Contains(k.Value)))
        {
            errors.Add(key.Location, $"{owner}: unknown key '{key.Value}'; expected only {Join(allowed)}");
        }
    }

    /// <summary>"a, b and c".</summary>
    public static string Join(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " and " + words[^1];
}
