using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Verification;

namespace Tcdb.Versions.Tests.Support;

/// <summary>
/// The contract of a phase-1 entities table's five methods (load, create, modify, remove, scan), checked
/// through the owning service's role with realistic properties. Leaves the table as it found it.
/// </summary>
public static class EntityContract
{
    /// <summary>
    /// Creates, loads, modifies, scans and removes one entity. With <paramref name="neighbours"/> (phase-1 tables take
    /// any keys) two more entities share the table, one with the same partition key and one with the same row key,
    /// and each method must touch exactly the entity it names: a load returns one row, a modify or remove leaves the
    /// neighbours as they were, a modify of a missing row key is P0002.
    /// </summary>
    public static async Task VerifyAsync(VersionContext db, string service, string table, string partitionKey, string rowKey, string properties, string modified, bool neighbours = true)
    {
        await using var client = await db.ClientAsync(service);
        var what = $"{table} ({partitionKey}/{rowKey})";
        var others = new List<(string PartitionKey, string RowKey, Guid Etag)>();
        foreach (var (otherPartition, otherRow) in neighbours ? new[] { (partitionKey, rowKey + "~neighbour"), (partitionKey + "~neighbour", rowKey) } : [])
        {
            others.Add((otherPartition, otherRow, (Guid)(await client.CallAtVersionAsync(db, $"{table}_create", otherPartition, otherRow, properties, false, 1)).Scalar()!));
        }

        var etag = (Guid)(await client.CallAtVersionAsync(db, $"{table}_create", partitionKey, rowKey, properties, false, 1)).Scalar()!;
        var loaded = (await client.CallAtVersionAsync(db, $"{table}_load", partitionKey, rowKey)).Single();
        Assert.That(loaded["partition_key_out"], Is.EqualTo(partitionKey), what);
        Assert.That(loaded["row_key_out"], Is.EqualTo(rowKey), what);
        Assert.That(loaded["version"], Is.EqualTo(1), what);
        Assert.That(loaded["etag"], Is.EqualTo(etag), $"{what}: load returns the etag create returned");
        Json.AssertSame(loaded["value"], properties, $"{what}: loaded value");

        var duplicate = Assert.ThrowsAsync<DbFunctionException>(() => client.CallAtVersionAsync(db, $"{table}_create", partitionKey, rowKey, properties, false, 1));
        Assert.That(duplicate!.SqlState, Is.EqualTo("23505"), $"{what}: creating twice without overwrite");

        var stale = Assert.ThrowsAsync<DbFunctionException>(() => client.CallAtVersionAsync(db, $"{table}_modify", partitionKey, rowKey, modified, 1, Guid.NewGuid()));
        Assert.That(stale!.SqlState, Is.EqualTo("P0004"), $"{what}: modify with a stale etag");
        var missing = Assert.ThrowsAsync<DbFunctionException>(() => client.CallAtVersionAsync(db, $"{table}_modify", partitionKey + "-missing", rowKey, modified, 1, etag));
        Assert.That(missing!.SqlState, Is.EqualTo("P0002"), $"{what}: modify of a missing partition key");
        if (neighbours)
        {
            var missingRow = Assert.ThrowsAsync<DbFunctionException>(() => client.CallAtVersionAsync(db, $"{table}_modify", partitionKey, rowKey + "-missing", modified, 1, etag));
            Assert.That(missingRow!.SqlState, Is.EqualTo("P0002"), $"{what}: modify of a missing row key");
        }

        var newEtag = (Guid)(await client.CallAtVersionAsync(db, $"{table}_modify", partitionKey, rowKey, modified, 1, etag)).Scalar()!;
        Assert.That(newEtag, Is.Not.EqualTo(etag), $"{what}: modify makes a new etag");
        await AssertUntouchedAsync(db, client, table, others, "modify");
        var scanned = await client.CallAtVersionAsync(db, $"{table}_scan", partitionKey, null, null, 10, 0);
        var samePartition = others.Where(o => o.PartitionKey == partitionKey).Select(o => ((object?)o.PartitionKey, (object?)o.RowKey, (object?)o.Etag));
        Assert.That(
            scanned.Select(r => (r["partition_key_out"], r["row_key_out"], r["etag"])),
            Is.EqualTo(new[] { ((object?)partitionKey, (object?)rowKey, (object?)newEtag) }.Concat(samePartition)),
            $"{what}: scan by partition key");
        Json.AssertSame(scanned[0]["value"], modified, $"{what}: scanned value after modify");

        var removed = await client.CallAtVersionAsync(db, $"{table}_remove", partitionKey, rowKey);
        Assert.That(removed.Select(r => r["etag"]), Is.EqualTo(new object?[] { newEtag }), $"{what}: remove returns the etag");
        Assert.That(await client.CallAtVersionAsync(db, $"{table}_load", partitionKey, rowKey), Is.Empty, $"{what}: gone after remove");
        Assert.That(await client.CallAtVersionAsync(db, $"{table}_remove", partitionKey, rowKey), Is.Empty, $"{what}: removing again returns nothing");
        await AssertUntouchedAsync(db, client, table, others, "remove");
        foreach (var (otherPartition, otherRow, _) in others)
        {
            await client.CallAtVersionAsync(db, $"{table}_remove", otherPartition, otherRow);
        }
    }

    private static async Task AssertUntouchedAsync(VersionContext db, FunctionClient client, string table, IEnumerable<(string PartitionKey, string RowKey, Guid Etag)> others, string step)
    {
        foreach (var (otherPartition, otherRow, otherEtag) in others)
        {
            var rows = await client.CallAtVersionAsync(db, $"{table}_load", otherPartition, otherRow);
            Assert.That(rows.Select(r => r["etag"]), Is.EqualTo(new object?[] { otherEtag }), $"{table} ({otherPartition}/{otherRow}): a neighbour is as it was after the {step} of another entity");
        }
    }

    /// <summary>Asserts the tables and the five methods of each entities table do not exist (the state before the version).</summary>
    public static async Task AssertAbsentAsync(VersionContext db, params string[] tables)
    {
        foreach (var table in tables)
        {
            Assert.That(await db.TableExistsAsync(table), Is.False, $"{table} exists before its version");
            foreach (var method in new[] { "load", "create", "modify", "remove", "scan" })
            {
                Assert.That(await db.FunctionExistsAsync($"{table}_{method}"), Is.False, $"{table}_{method} exists before its version");
            }
        }
    }

    /// <summary>Asserts the tables exist, are empty of test rows, and the owning service may use them.</summary>
    public static async Task AssertPresentAsync(VersionContext db, string service, params string[] tables)
    {
        foreach (var table in tables)
        {
            Assert.That(await db.TableExistsAsync(table), Is.True, $"{table} after upgrade");
            Assert.That(
                await db.ValueAsync<bool>("select has_table_privilege($1, 'public.' || quote_ident($2), 'select, insert, update, delete')", db.RolePrefix.RoleFor(service), table),
                Is.True,
                $"{service} may read and write {table}");
        }
    }
}
