using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tcdb.Schema.Documents;

namespace Tcdb.Schema;

/// <summary>
/// The whole schema as one JSON file, for shipping a schema without its directory (Taskcluster's
/// <c>db-schema.json</c> shape: <c>{access, tables, versions}</c>, external SQL inlined).
/// Output is deterministic: object keys sorted ordinally, two-space indent, "\n" line ends; the only
/// unsorted keys are each version's method names, which keep their definition order.
/// Reading validates like the directory loader and reports every problem with line and column.
/// </summary>
public static class SchemaJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };
    private static readonly string[] TopLevelKeys = ["access", "tables", "versions"];

    /// <summary>Serializes <paramref name="schema"/>; <see cref="Read"/> of the result equals <paramref name="schema"/>.</summary>
    public static string Write(DbSchema schema)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("access");
            foreach (var service in schema.Access.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject(service.Name);
                json.WriteStartObject("tables");
                foreach (var (table, access) in service.Tables.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    json.WriteString(table, access == TableAccess.Read ? "read" : "write");
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartObject("tables");
            foreach (var (table, columns) in schema.Tables.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(table);
                foreach (var (column, type) in columns.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    json.WriteString(column, type);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("versions");
            foreach (var version in schema.Versions)
            {
                WriteVersion(json, version);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// One version as a JSON object, the form it has in <see cref="Write"/>; JSON is YAML, so the text is also a
    /// valid <c>versions/NNNN.yml</c> file that loads as <paramref name="version"/> (scripts and bodies inline).
    /// </summary>
    public static string WriteVersion(DbVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteVersion(json, version);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteVersion(Utf8JsonWriter json, DbVersion version)
    {
        json.WriteStartObject();
        WriteIfPresent(json, "description", version.Description);
        WriteIfPresent(json, "downgradeScript", version.DowngradeScript);
        json.WriteStartObject("methods");
        foreach (var method in version.Methods)
        {
            json.WriteStartObject(method.Name);
            WriteIfPresent(json, "args", method.Args);
            WriteIfPresent(json, "body", method.Body);
            json.WriteBoolean("deprecated", method.Deprecated);
            WriteIfPresent(json, "description", method.Description);
            WriteIfPresent(json, "mode", method.Mode switch { MethodMode.Read => "read", MethodMode.Write => "write", _ => null });
            WriteIfPresent(json, "returns", method.Returns);
            WriteIfPresent(json, "serviceName", method.ServiceName);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        WriteIfPresent(json, "migrationScript", version.MigrationScript);
        json.WriteNumber("version", version.Number);
        json.WriteEndObject();
    }

    /// <summary>Reads a serialized schema; <paramref name="sourceName"/> names it in messages.</summary>
    /// <exception cref="SchemaLoadException">The text is not a valid serialized schema; every problem is listed.</exception>
    public static DbSchema Read(string json, string sourceName = "schema.json")
    {
        var errors = new ErrorList();
        var root = JsonDocumentReader.Read(sourceName, json, errors);
        errors.ThrowIfAny();
        var start = new SourceLocation(sourceName, 1, 1);
        if (root is not DocMapping mapping)
        {
            errors.Add(root?.Location ?? start, $"expected an object with the keys access, tables and versions, found {root?.Describe() ?? "nothing"}");
            errors.ThrowIfAny();
            throw new InvalidOperationException("unreachable");
        }

        Fields.RejectUnknownKeys(mapping, TopLevelKeys, errors, "schema");
        foreach (var key in TopLevelKeys.Where(k => mapping.Get(k) is null))
        {
            errors.Add(mapping.Location, $"schema: missing {key}; expected the keys access, tables and versions");
        }

        var versions = new List<DbVersion>();
        if (mapping.Get("versions") is DocSequence list)
        {
            for (var i = 0; i < list.Items.Count; i++)
            {
                var version = VersionReader.Read(list.Items[i], expectedNumber: null, $"versions[{i}]", sqlDirectory: null, errors);
                if (version is not null && version.Number != i + 1)
                {
                    errors.Add(list.Items[i].Location, $"versions[{i}] is version {version.Number}; expected version {i + 1} (versions are listed in order 1..N without gaps)");
                }
                else if (version is not null)
                {
                    versions.Add(version);
                }
            }

            MethodHistoryRules.Check(versions, errors);
        }
        else if (mapping.Get("versions") is { } other)
        {
            errors.Add(other.Location, $"schema: versions is {other.Describe()}; expected a list of versions");
        }

        var access = mapping.Get("access") is { } accessNode ? AccessReader.Read(accessNode, start, knownTables: null, errors) : [];
        var (tables, locations) = mapping.Get("tables") is { } tablesNode ? TablesReader.Read(tablesNode, start, errors) : (new Dictionary<string, IReadOnlyDictionary<string, string>>(), new Dictionary<string, SourceLocation>());
        errors.ThrowIfAny();
        return new DbSchema(versions, access, tables, directory: null, locations);
    }

    /// <summary>Reads a serialized schema file.</summary>
    /// <exception cref="SchemaLoadException">The file cannot be read or is not a valid serialized schema.</exception>
    public static DbSchema ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SchemaLoadException([new SchemaError(new SourceLocation(path, 0, 0), $"schema file cannot be read ({e.Message})")]);
        }

        return Read(text, path);
    }

    private static void WriteIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
