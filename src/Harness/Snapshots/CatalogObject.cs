using System.Text.Json.Serialization;

namespace Tcdb.Snapshots;

/// <summary>The kinds of catalog object a <see cref="CatalogSnapshot"/> records.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CatalogObjectKind>))]
public enum CatalogObjectKind
{
    Schema,
    Extension,
    Table,
    Column,
    Constraint,
    Index,
    Sequence,
    View,
    MaterializedView,
    EnumType,
    CompositeType,
    Domain,
    RangeType,
    Function,
    Procedure,
    Aggregate,
    Trigger,
    Policy,
    Grant,
    Role,
}

/// <summary>Who owns a catalog object: the schema under test, the harness, or an extension.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ObjectOrigin>))]
public enum ObjectOrigin
{
    /// <summary>Created by the versions under test.</summary>
    Schema,

    /// <summary>Owned by the harness: tcversion, the harness's extensions, online-migration functions.</summary>
    Harness,

    /// <summary>A member of an extension (pg_depend deptype 'e'), e.g. pgcrypto's functions.</summary>
    Extension,
}

/// <summary>
/// One object of the catalog: its kind, qualified name (table-scoped objects are named
/// <c>schema.table.object</c>, functions carry their identity arguments), origin and normalized
/// properties. <see cref="Position"/> (columns only) is informative and never a difference.
/// </summary>
public sealed class CatalogObject
{
    public CatalogObject(CatalogObjectKind kind, string name, ObjectOrigin origin, IReadOnlyDictionary<string, string> properties, int? position = null)
        : this(kind, name, origin, new SortedDictionary<string, string>(properties.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal), position, null)
    {
    }

    private CatalogObject(CatalogObjectKind kind, string name, ObjectOrigin origin, SortedDictionary<string, string> properties, int? position, Guid? fingerprint)
    {
        Kind = kind;
        Name = name;
        Origin = origin;
        Properties = properties;
        Position = position;
        Fingerprint = fingerprint;
    }

    public CatalogObjectKind Kind { get; }

    public string Name { get; }

    public ObjectOrigin Origin { get; }

    /// <summary>Property name to normalized text; a property that does not apply is absent.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>1-based rank of a column among the live columns of its table; null for other kinds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Position { get; }

    /// <summary>
    /// The server's hash of everything this object was read from (kind, name, properties, extension, subject,
    /// position), when it was read from a server: equal fingerprints, equal objects. Null for objects
    /// built otherwise (e.g. from JSON).
    /// </summary>
    [JsonIgnore]
    internal Guid? Fingerprint { get; }

    /// <summary>The identity used to match objects of two snapshots.</summary>
    [JsonIgnore]
    public (CatalogObjectKind Kind, string Name) Key => (Kind, Name);

    /// <summary>The order of a snapshot's objects: by kind, then by name (ordinal); zero for the same key.</summary>
    internal static int Order(CatalogObject a, CatalogObject b) =>
        a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Name, b.Name);

    /// <summary>Human-readable kind: "materialized view", "enum type".</summary>
    public static string Describe(CatalogObjectKind kind) => kind switch
    {
        CatalogObjectKind.MaterializedView => "materialized view",
        CatalogObjectKind.EnumType => "enum type",
        CatalogObjectKind.CompositeType => "composite type",
        CatalogObjectKind.RangeType => "range type",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public override string ToString() => $"{Describe(Kind)} {Name}";

    /// <summary>An object read from a server, with the server's fingerprint of it.</summary>
    internal static CatalogObject Read(CatalogObjectKind kind, string name, ObjectOrigin origin, SortedDictionary<string, string> properties, int? position, Guid fingerprint) =>
        new(kind, name, origin, properties, position, fingerprint);

    /// <summary>This object with another origin (the same server rows seen under other ownership rules).</summary>
    internal CatalogObject WithOrigin(ObjectOrigin origin) => origin == Origin ? this : new(Kind, Name, origin, (SortedDictionary<string, string>)Properties, Position, Fingerprint);
}
