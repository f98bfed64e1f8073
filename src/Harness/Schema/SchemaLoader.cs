using System.Globalization;
using System.Text.RegularExpressions;
using Tcdb.Schema.Documents;

namespace Tcdb.Schema;

/// <summary>
/// Loads a Taskcluster-style db directory (<c>versions/NNNN.yml</c>, <c>access.yml</c>, <c>tables.yml</c>) into a
/// validated <see cref="DbSchema"/>. Every problem of the directory is collected and reported together in one
/// <see cref="SchemaLoadException"/>, each naming file:line:column, the version and the method.
/// </summary>
public static partial class SchemaLoader
{
    /// <summary>Loads and validates <paramref name="dbDirectory"/>.</summary>
    /// <exception cref="SchemaLoadException">The directory has one or more problems; all are listed.</exception>
    public static DbSchema Load(string dbDirectory)
    {
        var errors = new ErrorList();
        if (!Directory.Exists(dbDirectory))
        {
            errors.Add(new SourceLocation(dbDirectory, 0, 0), "db directory not found; expected a directory holding versions/, access.yml and tables.yml");
            errors.ThrowIfAny();
        }

        var versions = LoadVersions(Path.Join(dbDirectory, "versions"), errors);
        var tablesPath = Path.Join(dbDirectory, "tables.yml");
        var tablesErrors = errors.Count;
        var (tables, tableLocations) = TablesReader.Read(ReadYaml(tablesPath, errors, "tables.yml"), new SourceLocation(tablesPath, 1, 1), errors);
        var tablesLoaded = errors.Count == tablesErrors;
        var accessPath = Path.Join(dbDirectory, "access.yml");
        var accessErrors = errors.Count;
        var access = AccessReader.Read(
            ReadYaml(accessPath, errors, "access.yml"), new SourceLocation(accessPath, 1, 1), tablesLoaded ? tables.Keys.ToHashSet(StringComparer.Ordinal) : null, errors);
        if (tablesLoaded && errors.Count == accessErrors)
        {
            foreach (var table in tables.Keys.Where(t => !access.Any(s => s.Tables.ContainsKey(t))))
            {
                errors.Add(tableLocations[table], $"tables.yml: table {table}: no service of access.yml has access to it; grant it to the service that owns it");
            }
        }

        errors.ThrowIfAny();
        return new DbSchema(versions, access, tables, dbDirectory, tableLocations);
    }

    private static IReadOnlyList<DbVersion> LoadVersions(string versionsDirectory, ErrorList errors)
    {
        if (!Directory.Exists(versionsDirectory))
        {
            errors.Add(new SourceLocation(versionsDirectory, 0, 0), "versions directory not found; expected versions/0001.yml, versions/0002.yml, ... in the db directory");
            return [];
        }

        var files = Directory.EnumerateFiles(versionsDirectory)
            .Select(path => Path.GetFileName(path))
            .Where(name => !name.StartsWith('.') && YamlFileName().IsMatch(name))
            .Order(StringComparer.Ordinal)
            .ToList();

        // Slot per version number: the file claiming it first, and its version when it loaded cleanly.
        var slots = new SortedDictionary<int, (string File, DbVersion? Version)>();
        foreach (var name in files)
        {
            var path = Path.Join(versionsDirectory, name);
            var fileNumber = VersionFileName().Match(name) is { Success: true } m && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : (int?)null;
            if (fileNumber is null)
            {
                var hint = name.EndsWith(".yaml", StringComparison.Ordinal) ? $" (.yaml is never read as a version; rename it to {Path.GetFileNameWithoutExtension(name)}.yml)" : string.Empty;
                errors.Add(new SourceLocation(path, 1, 1), $"{name}: the file name does not name a version; expected NNNN.yml where NNNN is the version number, e.g. 0001.yml{hint}");
                continue;
            }

            var root = ReadYaml(path, errors, name);
            var version = root is null ? null : VersionReader.Read(root, fileNumber, name, versionsDirectory, errors);
            if (root is null && File.Exists(path) && errors.Items.All(e => e.Location.File != path))
            {
                errors.Add(new SourceLocation(path, 1, 1), $"{name}: the file is empty; expected version: {fileNumber}, a description and methods");
            }

            if (slots.TryGetValue(fileNumber.Value, out var taken))
            {
                errors.Add(new SourceLocation(path, 1, 1), $"{name}: duplicate version number {fileNumber}: {taken.File} already defines version {fileNumber}; expected exactly one file per version");
                continue;
            }

            slots[fileNumber.Value] = (name, version);
        }

        var latest = slots.Count == 0 ? 0 : slots.Keys.Max();
        for (var i = 1; i <= latest; i++)
        {
            if (!slots.ContainsKey(i))
            {
                errors.Add(new SourceLocation(versionsDirectory, 0, 0), $"version {i} is missing; expected versions/{i:D4}.yml (versions are numbered 1..{latest} without gaps)");
            }
        }

        var loaded = slots.Values.Select(s => s.Version).OfType<DbVersion>().ToList();
        MethodHistoryRules.Check(loaded, errors);
        return loaded;
    }

    /// <summary>The parsed root of a YAML file; null when missing, empty or not YAML (errors recorded for missing or invalid).</summary>
    private static DocNode? ReadYaml(string path, ErrorList errors, string label)
    {
        if (!File.Exists(path))
        {
            errors.Add(new SourceLocation(path, 0, 0), $"{label} not found; expected this file in the db directory (it may hold just {{}})");
            return null;
        }

        return YamlDocumentReader.ReadFile(path, errors, label);
    }

    /// <summary>Which entries of versions/ are version files: the file name ends in .yml or .yaml (dotfiles are skipped).</summary>
    [GeneratedRegex(@"\.ya?ml$")]
    private static partial Regex YamlFileName();

    [GeneratedRegex(@"^([0-9]+)\.yml$")]
    private static partial Regex VersionFileName();
}
