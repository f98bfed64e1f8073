using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Verification;

namespace Tcdb.Versions.Tests.Support;

/// <summary>
/// Checks of a phase-1 entities table in a version test: absent before its version, present (and granted to its
/// service) after it, and its five methods keeping the shared <see cref="EntityContract"/> with realistic properties.
/// </summary>
public static class EntityTables
{
    /// <summary>
    /// The life of one entity through the service's role (see <see cref="EntityContract.VerifyLifecycleAsync"/>), with
    /// the methods called as the latest schema lists them (active or deprecated), and with two neighbour entities unless
    /// <paramref name="neighbours"/> is false (a table whose methods refuse other keys). Leaves the table as it found it.
    /// </summary>
    public static async Task VerifyAsync(VersionContext db, string service, string table, string partitionKey, string rowKey, string properties, string modified, bool neighbours = true)
    {
        await using var client = await db.ClientAsync(service);
        var deprecated = db.Schema.EffectiveMethods().Any(m => m.Name == table + "_load" && m.Deprecated);
        var contract = new EntityContract(client, EntityMethods.Of(service, table, deprecated));
        await contract.VerifyLifecycleAsync(new Entity(partitionKey, rowKey, JsonNode.Parse(properties)!.AsObject()), JsonNode.Parse(modified)!.AsObject(), neighbours);
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

    /// <summary>Asserts the tables exist and the owning service may read and write them.</summary>
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
