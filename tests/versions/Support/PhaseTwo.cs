using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Verification;

namespace Tcdb.Versions.Tests.Support;

/// <summary>An entity a version test created through a <c>_create</c> method: its keys, properties and etag.</summary>
public sealed record SeededEntity(string PartitionKey, string RowKey, string Properties, Guid Etag);

/// <summary>
/// Seeding and checking the entities of a table that a phase-2 version moves into relational columns: the
/// entities are created through the service's <c>_create</c> method at N-1, and the <c>_load</c> method must
/// return exactly the same value and etag at N-1 (raw entities), at N (rebuilt from the columns) and after
/// the downgrade.
/// </summary>
public static class PhaseTwo
{
    public static async Task<List<SeededEntity>> CreateAsync(VersionContext db, string service, string table, IEnumerable<(string PartitionKey, string RowKey, string Properties)> entities)
    {
        await using var client = await db.ClientAsync(service);
        var seeded = new List<SeededEntity>();
        foreach (var (partitionKey, rowKey, properties) in entities)
        {
            var etag = (Guid)(await client.CallAtVersionAsync(db, $"{table}_create", partitionKey, rowKey, properties, false, 1)).Scalar()!;
            seeded.Add(new SeededEntity(partitionKey, rowKey, properties, etag));
        }

        return seeded;
    }

    /// <summary>The generic seeder leaves <paramref name="tables"/> empty: their jsonb values need the shape only the version test knows.</summary>
    public static void SeedNoGenericRows(IDictionary<string, TableSeedRule> rules, params string[] tables)
    {
        foreach (var table in tables)
        {
            rules["public." + table] = new TableSeedRule { Rows = 0 };
        }
    }

    /// <summary>The entities tables the version replaced are gone.</summary>
    public static async Task AssertDroppedAsync(VersionContext db, params string[] tables)
    {
        foreach (var table in tables)
        {
            Assert.That(await db.TableExistsAsync(table), Is.False, $"{table} is dropped");
        }
    }

    /// <summary><see cref="AssertLoadAsync(VersionContext, string, string, IReadOnlyList{SeededEntity}, string)"/> for each table of <paramref name="seeded"/>.</summary>
    public static async Task AssertLoadAsync(VersionContext db, string service, IReadOnlyDictionary<string, List<SeededEntity>> seeded, string when)
    {
        foreach (var (table, entities) in seeded)
        {
            await AssertLoadAsync(db, service, table, entities, when);
        }
    }

    /// <summary>Every seeded entity loads with its value and etag, and a full scan returns exactly the seeded keys.</summary>
    public static async Task AssertLoadAsync(VersionContext db, string service, string table, IReadOnlyList<SeededEntity> seeded, string when)
    {
        await using var client = await db.ClientAsync(service);
        foreach (var entity in seeded)
        {
            var what = $"{when}: {table} {entity.PartitionKey}/{entity.RowKey}";
            var row = (await client.CallAtVersionAsync(db, $"{table}_load", entity.PartitionKey, entity.RowKey)).Single();
            Assert.That((row["partition_key_out"], row["row_key_out"], row["version"], row["etag"]), Is.EqualTo(((object)entity.PartitionKey, (object)entity.RowKey, (object)1, (object)entity.Etag)), what);
            Json.AssertSame(row["value"], entity.Properties, what);
        }

        var scanned = await client.CallAtVersionAsync(db, $"{table}_scan", null, null, null, null, 0);
        Assert.That(
            scanned.Select(r => ((string)r["partition_key_out"]!, (string)r["row_key_out"]!)),
            Is.EquivalentTo(seeded.Select(e => (e.PartitionKey, e.RowKey))),
            $"{when}: {table}_scan returns the seeded entities");
    }

    /// <summary>
    /// Every seeded entity became exactly one row of <paramref name="table"/> (matched by its etag, which the
    /// migration keeps) whose columns hold its properties: <paramref name="columns"/> maps each column to the
    /// property it came from. Strings compare as text, numbers and booleans as values, objects and arrays as
    /// JSON, and a string property read from a timestamptz column as the instant it names.
    /// </summary>
    public static async Task AssertRowsAsync(VersionContext db, string table, IReadOnlyList<SeededEntity> seeded, params (string Column, string Property)[] columns)
    {
        var rows = (await db.RowsAsync($"select {string.Join(", ", columns.Select(c => c.Column))}, etag from {table}")).ToDictionary(r => (Guid)r["etag"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(seeded.Select(e => e.Etag)), $"{table} holds exactly the seeded entities, with their etags");
        foreach (var entity in seeded)
        {
            var properties = JsonNode.Parse(entity.Properties)!.AsObject();
            foreach (var (column, property) in columns)
            {
                var what = $"{table}.{column} of {entity.PartitionKey}/{entity.RowKey}";
                var expected = properties[property];
                switch (rows[entity.Etag][column])
                {
                    case DateTime time:
                        Assert.That(time, Is.EqualTo(DateTime.Parse(expected!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal)), what);
                        break;
                    case string text when expected is JsonObject or JsonArray:
                        Json.AssertSame(text, expected.ToJsonString(), what);
                        break;
                    case string text:
                        Assert.That(text, Is.EqualTo(expected!.GetValue<string>()), what);
                        break;
                    case int number:
                        Assert.That(number, Is.EqualTo(expected!.GetValue<int>()), what);
                        break;
                    case bool flag:
                        Assert.That(flag, Is.EqualTo(expected!.GetValue<bool>()), what);
                        break;
                    case var other:
                        Assert.Fail($"{what}: unexpected value {other ?? "null"}");
                        break;
                }
            }
        }
    }
}
