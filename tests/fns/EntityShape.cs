using System.Text.Json.Nodes;

namespace Tcdb.Fns.Tests;

/// <summary>
/// How to write valid entities of one table for <see cref="EntityContractTests"/>: its methods (named in full, so that
/// every name is greppable and <see cref="CoverageTests"/> finds it), the n-th partition key, the row key, the
/// properties of a key, and the property whose value (holding <see cref="Values.Tricky"/>) must come back unchanged.
/// <paramref name="Singleton"/> marks tables holding one entity (roles): no paging across keys.
/// <paramref name="RowKeyFor"/> gives the row key of a partition key where one row key for all would collide
/// (worker pool errors: the error id alone is the primary key); otherwise every entity uses <paramref name="RowKey"/>.
/// </summary>
public sealed record EntityShape(
    EntityMethods Methods,
    Func<int, string> PartitionKey,
    string RowKey,
    Func<string, JsonObject> Properties,
    string CheckedProperty,
    bool Singleton = false,
    Func<string, string>? RowKeyFor = null)
{
    public override string ToString() => Methods.Table;

    /// <summary>The n-th entity of the table.</summary>
    public Entity Entity(int n)
    {
        var partitionKey = PartitionKey(n);
        return new Entity(partitionKey, RowKeyFor?.Invoke(partitionKey) ?? RowKey, Properties(partitionKey));
    }
}
