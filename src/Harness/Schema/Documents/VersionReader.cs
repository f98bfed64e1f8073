namespace Tcdb.Schema.Documents;

/// <summary>Reads and validates one version: a <c>versions/NNNN.yml</c> file or one entry of a serialized schema.</summary>
internal static class VersionReader
{
    public static readonly IReadOnlyList<string> Keys = ["version", "description", "migrationScript", "downgradeScript", "methods"];

    /// <param name="root">The parsed document.</param>
    /// <param name="expectedNumber">The number the file name gives, or null when there is no file name to match (serialized input).</param>
    /// <param name="label">How messages name the version before its number is known, e.g. "0003.yml".</param>
    /// <param name="sqlDirectory">Where external .sql files are looked up, or null to take every value as SQL.</param>
    /// <param name="errors">Where problems are recorded.</param>
    /// <returns>The version, or null when it has errors.</returns>
    public static DbVersion? Read(DocNode root, int? expectedNumber, string label, string? sqlDirectory, ErrorList errors)
    {
        var before = errors.Count;
        if (root is not DocMapping mapping)
        {
            errors.Add(root.Location, $"{label}: expected a mapping with the keys {Fields.Join(Keys)}, found {root.Describe()}");
            return null;
        }

        var number = ReadNumber(mapping, expectedNumber, label, errors);
        var owner = number is { } n ? $"version {n}" : label;
        Fields.RejectUnknownKeys(mapping, Keys, errors, owner);

        var description = Fields.Text(mapping.Get("description"), errors, $"{owner}: description");
        var migrationScalar = Fields.Text(mapping.Get("migrationScript"), errors, $"{owner}: migrationScript");
        var downgradeScalar = Fields.Text(mapping.Get("downgradeScript"), errors, $"{owner}: downgradeScript");
        var hasMigration = !string.IsNullOrEmpty(migrationScalar?.Value);
        var hasDowngrade = !string.IsNullOrEmpty(downgradeScalar?.Value);
        if (hasMigration != hasDowngrade)
        {
            var (given, absent) = hasMigration ? ("migrationScript", "downgradeScript") : ("downgradeScript", "migrationScript");
            var at = (hasMigration ? mapping.KeyOf("migrationScript") : mapping.KeyOf("downgradeScript"))!.Location;
            errors.Add(at, $"{owner}: {given} is given without {absent}; expected both (the downgrade undoes the migration) or neither");
        }

        var (migration, migrationLocation) = ScriptSource.Resolve(migrationScalar, sqlDirectory, errors, $"{owner}: migrationScript");
        var (downgrade, downgradeLocation) = ScriptSource.Resolve(downgradeScalar, sqlDirectory, errors, $"{owner}: downgradeScript");
        var methods = ReadMethods(mapping, owner, sqlDirectory, errors);

        return errors.Count == before && number is not null
            ? new DbVersion(number.Value, description?.Value, migration, downgrade, methods, mapping.Location, migrationLocation, downgradeLocation)
            : null;
    }

    private static int? ReadNumber(DocMapping mapping, int? expectedNumber, string label, ErrorList errors)
    {
        var example = expectedNumber is { } e ? $"version: {e}" : "version: N";
        var node = mapping.Get("version");
        switch (node)
        {
            case null:
                errors.Add(mapping.Location, $"{label}: missing version; expected {example} (the number in the file name)");
                return null;
            case DocScalar { Kind: ScalarKind.Integer } scalar:
                if (!int.TryParse(scalar.Value, out var number) || number <= 0)
                {
                    errors.Add(scalar.Location, $"{label}: version is {scalar.Value}; expected a positive number, {example} (version 0 is the empty database and has no file)");
                    return null;
                }

                if (expectedNumber is { } expected && number != expected)
                {
                    errors.Add(scalar.Location, $"{label}: version {number} does not match the file name; expected {example}, or rename the file to {number:D4}.yml");
                    return null;
                }

                return number;
            case DocScalar { Kind: ScalarKind.String } quoted:
                errors.Add(quoted.Location, $"{label}: version is {quoted.Describe()}; expected a number without quotes, {example}");
                return null;
            default:
                errors.Add(node.Location, $"{label}: version is {node.Describe()}; expected {example}");
                return null;
        }
    }

    private static IReadOnlyList<DbMethod> ReadMethods(DocMapping mapping, string owner, string? sqlDirectory, ErrorList errors)
    {
        var hint = "expected a mapping of method names to methods (write methods: {} when this version defines none)";
        var node = mapping.Get("methods");
        switch (node)
        {
            case null:
                errors.Add(mapping.Location, $"{owner}: missing methods; {hint}");
                return [];
            case DocScalar { IsNull: true }:
                errors.Add(mapping.KeyOf("methods")!.Location, $"{owner}: methods has no value (a methods: key followed only by comments is empty); {hint}");
                return [];
            case DocSequence { Items.Count: 0 }:
                return [];
            case DocMapping methods:
                var result = new List<DbMethod>();
                foreach (var (name, value) in methods.Entries)
                {
                    if (MethodReader.Read(name, value, owner, sqlDirectory, errors) is { } method)
                    {
                        result.Add(method);
                    }
                }

                return result;
            default:
                errors.Add(node.Location, $"{owner}: methods is {node.Describe()}; {hint}");
                return [];
        }
    }
}
