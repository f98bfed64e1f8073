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
    {
        Kind = kind;
        Name = name;
        Origin = origin;
        Properties = new SortedDictionary<string, string>(properties.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
        Position = position;
    }

    public CatalogObjectKind Kind { get; }

    public string Name { get; }

    public ObjectOrigin Origin { get; }

    /// <summary>Property name to normalized text; a property that does not apply is absent.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>1-based rank of a column among the live columns of its table; null for other kinds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Position { get; }

    /// <summary>The identity used to match objects of two snapshots.</summary>
    [JsonIgnore]
    public (CatalogObjectKind Kind, string Name) Key => (Kind, Name);

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
}
