namespace Tcdb.Schema;

/// <summary>
/// An immutable, validated db directory: versions 1..N without gaps, access.yml and tables.yml.
/// Version 0 is the implicit empty database. Build one with <see cref="SchemaLoader.Load"/> or
/// <see cref="SchemaJson.Read"/>. Two schemas are equal when their content is (versions, access, tables),
/// wherever they were read from.
/// </summary>
public sealed class DbSchema : IEquatable<DbSchema>
{
    private readonly IReadOnlyDictionary<string, SourceLocation> tableLocations;

    /// <summary>
    /// Builds a schema from validated parts. <paramref name="tableLocations"/> says where tables.yml declares
    /// each table (key <c>table</c>) and column (key <c>table.column</c>).
    /// </summary>
    public DbSchema(
        IReadOnlyList<DbVersion> versions,
        IReadOnlyList<ServiceAccess> access,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> tables,
        string? directory = null,
        IReadOnlyDictionary<string, SourceLocation>? tableLocations = null)
    {
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i].Number != i + 1)
            {
                throw new ArgumentException($"versions must be numbered 1..N in order; position {i + 1} holds version {versions[i].Number}", nameof(versions));
            }
        }

        Versions = versions;
        Access = access;
        Tables = tables;
        Directory = directory;
        this.tableLocations = tableLocations ?? new Dictionary<string, SourceLocation>();
    }

    public IReadOnlyList<DbVersion> Versions { get; }

    /// <summary>access.yml: services in file order.</summary>
    public IReadOnlyList<ServiceAccess> Access { get; }

    /// <summary>tables.yml: table -> column -> type as printed by format_type (plus " not null").</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Tables { get; }

    /// <summary>The directory this schema was loaded from, when it was.</summary>
    public string? Directory { get; }

    public int LatestVersion => Versions.Count;

    public DbVersion GetVersion(int number) =>
        number >= 1 && number <= Versions.Count
            ? Versions[number - 1]
            : throw new ArgumentOutOfRangeException(nameof(number), number, $"Version {number} not found in the schema (latest is {LatestVersion})");

    /// <summary>Every method that exists at <paramref name="atVersion"/> (default: latest), sorted by name.</summary>
    public IReadOnlyList<EffectiveMethod> EffectiveMethods(int? atVersion = null)
    {
        var upTo = atVersion ?? LatestVersion;
        var byName = new Dictionary<string, EffectiveMethod>(StringComparer.Ordinal);
        foreach (var version in Versions.Take(upTo))
        {
            foreach (var entry in version.Methods)
            {
                byName.TryGetValue(entry.Name, out var previous);
                if (entry.IsDefinition)
                {
                    byName[entry.Name] = new EffectiveMethod(entry, version.Number, version.Number, entry.Deprecated);
                }
                else if (previous is not null)
                {
                    byName[entry.Name] = previous with { LastEntryVersion = version.Number, Deprecated = true };
                }
            }
        }

        return byName.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The most recent full definition of <paramref name="name"/> at or before <paramref name="atVersion"/>,
    /// or null when the method did not exist then (a downgrade must drop it).
    /// </summary>
    public (DbMethod Method, int Version)? LastDefinition(string name, int atVersion)
    {
        for (var v = Math.Min(atVersion, LatestVersion); v >= 1; v--)
        {
            var entry = Versions[v - 1].FindMethod(name);
            if (entry is { IsDefinition: true })
            {
                return (entry, v);
            }
        }

        return null;
    }

    /// <summary>This schema with <paramref name="version"/> in place of the version of the same number (everything else shared).</summary>
    public DbSchema WithVersion(DbVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        _ = GetVersion(version.Number);
        return new DbSchema(Versions.Select(v => v.Number == version.Number ? version : v).ToList(), Access, Tables, Directory, tableLocations);
    }

    public ServiceAccess? FindService(string name) => Access.FirstOrDefault(s => s.Name == name);

    /// <summary>Where tables.yml declares <paramref name="table"/> (or its <paramref name="column"/>), when known.</summary>
    public SourceLocation? TableLocation(string table, string? column = null) =>
        tableLocations.TryGetValue(column is null ? table : $"{table}.{column}", out var location) ? location : null;

    public bool Equals(DbSchema? other) =>
        other is not null
        && Versions.SequenceEqual(other.Versions)
        && Access.Count == other.Access.Count
        && Access.All(s => other.FindService(s.Name) is { } same && same.Equals(s))
        && Tables.Count == other.Tables.Count
        && Tables.All(t => other.Tables.TryGetValue(t.Key, out var columns)
            && columns.Count == t.Value.Count
            && t.Value.All(c => columns.TryGetValue(c.Key, out var type) && type == c.Value));

    public override bool Equals(object? obj) => Equals(obj as DbSchema);

    public override int GetHashCode() => HashCode.Combine(Versions.Count, Access.Count, Tables.Count);
}
