using System.Text.RegularExpressions;

namespace Tcdb.Schema.Documents;

/// <summary>Reads and validates one entry of a version's <c>methods</c> mapping.</summary>
internal static partial class MethodReader
{
    public static readonly IReadOnlyList<string> Keys = ["description", "mode", "serviceName", "args", "returns", "body", "deprecated"];

    /// <summary>The method, or null when it is too broken to keep (its errors were recorded).</summary>
    public static DbMethod? Read(DocScalar nameKey, DocNode value, string versionLabel, string? sqlDirectory, ErrorList errors)
    {
        var name = nameKey.Value;
        var owner = $"{versionLabel}, method {name}";
        var before = errors.Count;
        if (name.Any(char.IsAsciiLetterUpper))
        {
            errors.Add(nameKey.Location, $"{owner}: the name has capital letters; expected lower case letters, digits and '_' (PostgreSQL folds unquoted names to lower case)");
        }
        else if (!NamePattern().IsMatch(name))
        {
            errors.Add(nameKey.Location, $"{owner}: the name is not a plain SQL identifier; expected lower case letters, digits and '_', starting with a letter or '_'");
        }

        if (value is not DocMapping mapping)
        {
            errors.Add(value.Location, $"{owner}: expected a mapping with {Fields.Join(Keys)}, found {value.Describe()}");
            return null;
        }

        Fields.RejectUnknownKeys(mapping, Keys, errors, owner);
        var deprecatedFlag = ReadDeprecated(mapping.Get("deprecated"), errors, owner);
        var deprecated = deprecatedFlag ?? false;
        var mode = ReadMode(mapping.Get("mode"), errors, owner);
        var description = Fields.Text(mapping.Get("description"), errors, $"{owner}: description");
        var serviceName = Fields.Text(mapping.Get("serviceName"), errors, $"{owner}: serviceName");
        var argsNode = mapping.Get("args");
        var args = Fields.Text(argsNode, errors, $"{owner}: args");
        var returns = Fields.Text(mapping.Get("returns"), errors, $"{owner}: returns");
        var bodyScalar = Fields.Text(mapping.Get("body"), errors, $"{owner}: body");
        var (body, bodyLocation) = ScriptSource.Resolve(bodyScalar, sqlDirectory, errors, $"{owner}: body");

        var method = new DbMethod(
            name,
            description?.Value,
            mode,
            serviceName?.Value,
            args is null ? (argsNode is DocScalar { IsNull: false } ? string.Empty : null) : args.Value,
            returns?.Value,
            body,
            deprecated,
            nameKey.Location,
            bodyLocation);

        if (deprecatedFlag is null)
        {
            // The flag itself is wrong; checking the other fields against a guess would only add noise.
        }
        else if (!deprecated)
        {
            RequireDefinition(method, mapping, nameKey, errors, owner, includeOwnership: true);
        }
        else if (method.IsDefinition)
        {
            RequireDefinition(method, mapping, nameKey, errors, owner + " (deprecated, with a definition)", includeOwnership: false);
        }

        return errors.Count == before ? method : null;
    }

    private static void RequireDefinition(DbMethod method, DocMapping mapping, DocScalar nameKey, ErrorList errors, string owner, bool includeOwnership)
    {
        void Missing(string key, string expected) =>
            errors.Add(mapping.KeyOf(key)?.Location ?? nameKey.Location, $"{owner}: {(mapping.Get(key) is null ? "missing" : "empty")} {key}; expected {expected}");

        if (includeOwnership && string.IsNullOrEmpty(method.Description))
        {
            Missing("description", "a description of what the method does");
        }

        if (includeOwnership && method.Mode is null && mapping.Get("mode") is null)
        {
            Missing("mode", "mode: read or mode: write");
        }

        if (includeOwnership && string.IsNullOrEmpty(method.ServiceName))
        {
            Missing("serviceName", "the owning service, e.g. serviceName: queue");
        }

        if (method.Args is null)
        {
            Missing("args", "the argument list, e.g. args: name_in text (write args: '' for none)");
        }

        if (string.IsNullOrEmpty(method.Returns))
        {
            Missing("returns", "the SQL return type, e.g. returns: void or returns: table (name text)");
        }

        if (string.IsNullOrEmpty(method.Body))
        {
            Missing("body", "a PL/pgSQL body (begin ... end) or the name of a .sql file in versions/");
        }
    }

    /// <summary>The flag, false when absent, null when it is not a boolean (error recorded).</summary>
    private static bool? ReadDeprecated(DocNode? node, ErrorList errors, string owner)
    {
        switch (node)
        {
            case null or DocScalar { IsNull: true }:
                return false;
            case DocScalar { Kind: ScalarKind.Boolean } flag:
                return flag.Value.Equals("true", StringComparison.OrdinalIgnoreCase);
            default:
                errors.Add(node.Location, $"{owner}: deprecated must be true or false, found {node.Describe()}");
                return null;
        }
    }

    private static MethodMode? ReadMode(DocNode? node, ErrorList errors, string owner)
    {
        switch (node)
        {
            case null or DocScalar { IsNull: true }:
                return null;
            case DocScalar { Kind: ScalarKind.String, Value: "read" }:
                return MethodMode.Read;
            case DocScalar { Kind: ScalarKind.String, Value: "write" }:
                return MethodMode.Write;
            default:
                errors.Add(node.Location, $"{owner}: mode must be read or write, found {node.Describe()}");
                return null;
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex NamePattern();
}
