namespace Tcdb.Schema.Documents;

/// <summary>A YAML file that holds a list of entries, each a mapping of known keys (a waiver file, an accepted-findings file).</summary>
internal static class EntryList
{
    /// <summary>
    /// Reads the file at <paramref name="path"/> (<paramref name="what"/> names it in a read error) and hands each
    /// entry to <paramref name="read"/> in order. An item that is no mapping, a key not in <paramref name="keys"/>
    /// and a document that is no list are errors ending in <paramref name="expected"/>; an entry is called
    /// <paramref name="entry"/> in them (e.g. "waiver": "a waiver is a list"). Every error, with those
    /// <paramref name="read"/> adds to the list it is given, is thrown together at the end.
    /// </summary>
    /// <exception cref="SchemaLoadException">the file is missing or invalid.</exception>
    public static void Read(string path, string what, string entry, IReadOnlyList<string> keys, string expected, Action<DocMapping, ErrorList> read)
    {
        var errors = new ErrorList();
        var file = Path.GetFileName(path);
        var root = YamlDocumentReader.ReadFile(path, errors, what);
        errors.ThrowIfAny();
        if (root is DocSequence list)
        {
            foreach (var item in list.Items)
            {
                if (item is not DocMapping mapping)
                {
                    errors.Add(item.Location, $"{file}: {Article(entry)} {entry} is {item.Describe()}; {expected}");
                    continue;
                }

                Fields.RejectUnknownKeys(mapping, keys, errors, $"{file}: {entry}");
                read(mapping, errors);
            }
        }
        else if (root is not null)
        {
            errors.Add(root.Location, $"{file}: {expected}");
        }

        errors.ThrowIfAny();
    }

    private static string Article(string noun) => "aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an" : "a";
}
