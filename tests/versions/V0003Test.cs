using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 3: the auth service's entities tables (phase 1), <c>clients_entities</c> and <c>roles_entities</c>
/// (the whole role list in one entity, as a JSON buffer). Checks the tables appear for the auth role only at
/// version 3 and that each table's five methods keep their contract with realistic clients and role lists.
/// </summary>
public sealed class V0003Test : VersionTest
{
    protected override Task AssertBeforeUpgradeAsync(VersionContext db) =>
        EntityTables.AssertAbsentAsync(db, "clients_entities", "roles_entities");

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await EntityTables.AssertPresentAsync(db, "auth", "clients_entities", "roles_entities");
        var f = Realistic.Faker(3);
        var now = Times.Now();

        var client = Realistic.Client(f, 1, now);
        var rotated = client with { AccessToken = Json.Text(Realistic.EncryptedContainer(f)), LastRotated = now, Disabled = !client.Disabled };
        await EntityTables.VerifyAsync(db, "auth", "clients_entities", client.ClientId, "client", client.EntityProperties(), rotated.EntityProperties());

        var roles = Enumerable.Range(0, 5).Select(i => Realistic.Role(f, i, now)).ToList();
        var blob = await RoleBlobAsync(db, roles);
        var fewer = await RoleBlobAsync(db, roles.Skip(2));
        await EntityTables.VerifyAsync(db, "auth", "roles_entities", "role", "role", blob, fewer);
    }

    private static async Task<string> RoleBlobAsync(VersionContext db, IEnumerable<RoleSeed> roles) =>
        await db.ValueAsync<string>(
            "select entity_buf_encode('{}'::jsonb, 'blob', $1::jsonb::text)::text",
            Json.Text(new JsonArray(roles.Select(r => (JsonNode?)r.BlobElement()).ToArray())));
}
