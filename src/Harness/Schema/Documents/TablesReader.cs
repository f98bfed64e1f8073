namespace Tcdb.Schema.Documents;

/// <summary>Reads and validates tables.yml: <c>table: {column: type}</c> with types as format_type prints them.</summary>
internal static class TablesReader
{
    public static (IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Tables, IReadOnlyDictionary<string, SourceLocation> Locations) Read(
        DocNode? root, SourceLocation fileLocation, ErrorList errors)
    {
        const string file = "tables.yml";
        var tables = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var locations = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        if (root is not DocMapping mapping)
        {
            errors.Add(root?.Location ?? fileLocation, $"{file}: expected a mapping of table names to {{column: type}}, found {root?.Describe() ?? "an empty file"} (write {{}} when there are no tables)");
            return (tables, locations);
        }

        foreach (var (table, value) in mapping.Entries)
        {
            if (value is not DocMapping columnsNode)
            {
                errors.Add(value.Location, $"{file}: table {table.Value} must be a mapping of column names to types, found {value.Describe()} (write {table.Value}: {{}} for a table without listed columns)");
                continue;
            }

            var columns = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (column, typeNode) in columnsNode.Entries)
            {
                if (typeNode is DocScalar { Kind: ScalarKind.String } type && type.Value.Length > 0)
                {
                    columns[column.Value] = type.Value;
                    locations[$"{table.Value}.{column.Value}"] = column.Location;
                }
                else
                {
                    errors.Add(typeNode.Location, $"{file}: the type of {table.Value}.{column.Value} is {typeNode.Describe()}; expected the type as format_type prints it, e.g. text not null or timestamp with time zone");
                }
            }

            tables[table.Value] = columns;
            locations[table.Value] = table.Location;
        }

        return (tables, locations);
    }
}
