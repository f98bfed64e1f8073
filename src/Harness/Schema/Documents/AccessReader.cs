namespace Tcdb.Schema.Documents;

/// <summary>Reads and validates access.yml: <c>service: {tables: {table: read|write}}</c>.</summary>
internal static class AccessReader
{
    /// <summary>The services of <paramref name="root"/>; problems go to <paramref name="errors"/> (the file itself at <paramref name="fileLocation"/>).</summary>
    /// <param name="root">The parsed access.yml.</param>
    /// <param name="fileLocation">Where problems of the file as a whole are reported.</param>
    /// <param name="knownTables">The tables of tables.yml, when it loaded: a grant of any other table is an error.</param>
    /// <param name="errors">Collects every problem.</param>
    public static IReadOnlyList<ServiceAccess> Read(DocNode? root, SourceLocation fileLocation, IReadOnlySet<string>? knownTables, ErrorList errors)
    {
        const string file = "access.yml";
        var shape = "a mapping of service names to {tables: {table_name: read or write}} (write {} when no service has access)";
        if (root is not DocMapping services)
        {
            errors.Add(root?.Location ?? fileLocation, $"{file}: expected {shape}, found {root?.Describe() ?? "an empty file"}");
            return [];
        }

        var result = new List<ServiceAccess>();
        foreach (var (name, value) in services.Entries)
        {
            var owner = $"{file}: service {name.Value}";
            if (value is not DocMapping service)
            {
                errors.Add(value.Location, $"{owner}: expected a mapping with the single key tables, found {value.Describe()}");
                continue;
            }

            Fields.RejectUnknownKeys(service, ["tables"], errors, owner);
            var tablesNode = service.Get("tables");
            if (tablesNode is not DocMapping tables)
            {
                errors.Add(tablesNode?.Location ?? name.Location, $"{owner}: tables must be a mapping of table names to read or write, found {tablesNode?.Describe() ?? "nothing"}");
                continue;
            }

            var grants = new Dictionary<string, TableAccess>(StringComparer.Ordinal);
            foreach (var (table, modeNode) in tables.Entries)
            {
                if (knownTables is not null && !knownTables.Contains(table.Value))
                {
                    errors.Add(table.Location, $"{owner}: table {table.Value} is not in tables.yml; add it there or remove the grant");
                }

                switch (modeNode)
                {
                    case DocScalar { Kind: ScalarKind.String, Value: "read" }:
                        grants[table.Value] = TableAccess.Read;
                        break;
                    case DocScalar { Kind: ScalarKind.String, Value: "write" }:
                        grants[table.Value] = TableAccess.Write;
                        break;
                    default:
                        errors.Add(modeNode.Location, $"{owner}: table {table.Value} has access {modeNode.Describe()}; expected read or write");
                        break;
                }
            }

            result.Add(new ServiceAccess(name.Value, grants, name.Location));
        }

        return result;
    }
}
