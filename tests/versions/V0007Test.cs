using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 7: auth clients and roles move to the relational <c>clients</c> and <c>roles</c> tables (phase 2).
/// The single role-list entity (a JSON buffer) becomes one row per role sharing the list's etag. Seeds
/// realistic clients and a role list large enough to span two buffer chunks through the entity methods at
/// version 6, checks every column after the upgrade, the compatibility entity methods and the new methods,
/// and that the downgrade rebuilds both entities tables unchanged.
/// </summary>
public sealed class V0007Test : VersionTest
{
    private const int ClientCount = 30;
    private const int RoleCount = 260;
    private readonly List<(ClientSeed Client, Guid Etag)> clients = [];
    private readonly List<RoleSeed> roles = [];
    private readonly DateTime now = Times.Now();
    private Guid rolesEtag;

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules)
    {
        rules["public.clients_entities"] = new TableSeedRule { Rows = 0 };
        rules["public.roles_entities"] = new TableSeedRule { Rows = 0 };
    }

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(7);
        await using var auth = await db.ClientAsync("auth");
        for (var i = 0; i < ClientCount; i++)
        {
            var client = Realistic.Client(f, i, now);
            var etag = (Guid)(await auth.CallAtVersionAsync(db, "clients_entities_create", client.ClientId, "client", client.EntityProperties(), false, 1)).Scalar()!;
            clients.Add((client, etag));
        }

        roles.AddRange(Enumerable.Range(0, RoleCount).Select(i => Realistic.Role(f, i, now)));
        // The role list as the auth service stored it: one JSON array in the `blob` buffer, sorted by role id.
        var properties = await db.ValueAsync<string>(
            "select entity_buf_encode('{}'::jsonb, 'blob', (select jsonb_agg(r.value order by r.value ->> 'roleId') from jsonb_array_elements($1::jsonb) as r)::text)::text",
            Json.Text(new JsonArray(roles.Select(r => (JsonNode?)r.BlobElement()).ToArray())));
        rolesEtag = (Guid)(await auth.CallAtVersionAsync(db, "roles_entities_create", "role", "role", properties, false, 1)).Scalar()!;
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("clients") || await db.TableExistsAsync("roles"), Is.False, "no relational auth tables at version 6");
        Assert.That(await db.ValueAsync<long>("select count(*) from clients_entities"), Is.EqualTo(ClientCount));
        await using var auth = await db.ClientAsync("auth");
        foreach (var (client, etag) in clients)
        {
            var row = (await auth.CallAtVersionAsync(db, "clients_entities_load", client.ClientId, "client")).Single();
            Assert.That((row["version"], row["etag"]), Is.EqualTo(((object)1, (object)etag)), client.ClientId);
            Json.AssertSame(row["value"], client.EntityProperties(), $"entity of client {client.ClientId}");
        }

        var roleList = (await auth.CallAtVersionAsync(db, "roles_entities_load", "role", "role")).Single();
        Assert.That(roleList["etag"], Is.EqualTo(rolesEtag), "role list etag");
        var value = Json.Parse(roleList["value"])!.AsObject();
        Assert.That((int)value["__bufchunks_blob"]!, Is.GreaterThanOrEqualTo(2), "the role list spans several buffer chunks");
        await AssertRoleBlobAsync(db, Json.Text(value));
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("clients_entities") || await db.TableExistsAsync("roles_entities"), Is.False, "entities tables are dropped");
        var rows = (await db.RowsAsync(
            "select client_id, description, encrypted_access_token, expires, disabled, scopes, created, last_modified, last_date_used, last_rotated, delete_on_expiration, etag from clients"))
            .ToDictionary(r => (string)r["client_id"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(clients.Select(c => c.Client.ClientId)));
        foreach (var (client, etag) in clients)
        {
            var row = rows[client.ClientId];
            var what = $"clients row {client.ClientId}";
            Assert.That(row["description"], Is.EqualTo(client.Description), what);
            Json.AssertSame(row["encrypted_access_token"], client.AccessToken, what);
            Json.AssertSame(row["scopes"], Json.Text(Json.Strings(client.Scopes)), what);
            Assert.That(
                new[] { row["expires"], row["created"], row["last_modified"], row["last_date_used"], row["last_rotated"] },
                Is.EqualTo(new object[] { client.Expires, client.Created, client.LastModified, client.LastDateUsed, client.LastRotated }),
                what);
            Assert.That((row["disabled"], row["delete_on_expiration"], row["etag"]), Is.EqualTo(((object)client.Disabled, (object)client.DeleteOnExpiration, (object)etag)), what);
        }

        var roleRows = await db.RowsAsync("select role_id, scopes, description, created, last_modified, etag from roles");
        Assert.That(roleRows.Select(r => r["role_id"]), Is.EquivalentTo(roles.Select(r => r.RoleId)));
        var expectedRoles = roles.ToDictionary(r => r.RoleId);
        foreach (var row in roleRows)
        {
            var role = expectedRoles[(string)row["role_id"]!];
            Assert.That((row["description"], row["created"], row["last_modified"], row["etag"]), Is.EqualTo(((object)role.Description, (object)role.Created, (object)role.LastModified, (object)rolesEtag)), role.RoleId);
            Json.AssertSame(row["scopes"], Json.Text(Json.Strings(role.Scopes)), $"scopes of role {role.RoleId}");
        }

        await using var auth = await db.ClientAsync("auth");
        foreach (var (client, etag) in clients.Where((_, i) => i % 6 == 0))
        {
            var got = (await auth.CallAsync("get_client", client.ClientId)).Single();
            Assert.That((got["description"], got["etag"]), Is.EqualTo(((object)client.Description, (object)etag)), "get_client");
            var entity = (await auth.CallAtVersionAsync(db, "clients_entities_load", client.ClientId, "client")).Single();
            Json.AssertSame(entity["value"], client.EntityProperties(), $"clients_entities_load of {client.ClientId} rebuilds the entity");
        }

        const string prefix = "project/releng/";
        var listed = new List<string>();
        await foreach (var row in auth.PaginateByIndexAsync("get_clients", new Dictionary<string, object?> { ["prefix_in"] = prefix }, ["client_id"], pageSize: 2))
        {
            listed.Add((string)row["client_id"]!);
        }

        Assert.That(listed, Is.EquivalentTo(clients.Select(c => c.Client.ClientId).Where(id => id.StartsWith(prefix, StringComparison.Ordinal))).And.Unique, "get_clients by prefix, two per page");

        var gotRoles = await auth.CallAsync("get_roles");
        Assert.That(gotRoles.Select(r => r["role_id"]), Is.EquivalentTo(roles.Select(r => r.RoleId)), "get_roles");
        Assert.That(gotRoles.Select(r => r["etag"]).Distinct(), Is.EqualTo(new object[] { rolesEtag }), "every role carries the list's etag");
        var roleList = (await auth.CallAtVersionAsync(db, "roles_entities_load", "role", "role")).Single();
        Assert.That(roleList["etag"], Is.EqualTo(rolesEtag), "roles_entities_load etag");
        await AssertRoleBlobAsync(db, (string)roleList["value"]!);

        var stale = Assert.ThrowsAsync<DbFunctionException>(() => auth.CallAsync("modify_roles", "[]", Guid.NewGuid()));
        Assert.That(stale!.SqlState, Is.EqualTo("P0004"), "modify_roles with a stale etag");

        // A client of its own through the new methods, deleted again so the downgrade sees the seed only.
        var extra = Realistic.Client(Realistic.Faker(77), 1000, now);
        await auth.CallAsync("create_client", extra.ClientId, extra.Description, extra.AccessToken, extra.Expires, false, Json.Text(Json.Strings(extra.Scopes)), true);
        var duplicate = Assert.ThrowsAsync<DbFunctionException>(() => auth.CallAsync("create_client", extra.ClientId, extra.Description, extra.AccessToken, extra.Expires, false, "[]", true));
        Assert.That(duplicate!.SqlState, Is.EqualTo("23505"), "create_client twice");
        await auth.CallAsync("update_client_last_used", extra.ClientId);
        var created = (await auth.CallAsync("get_client", extra.ClientId)).Single();
        Assert.That(created["description"], Is.EqualTo(extra.Description), "create_client keeps backslashes and unicode");
        await auth.CallAsync("delete_client", extra.ClientId);
        Assert.That(await auth.CallAsync("get_client", extra.ClientId), Is.Empty, "delete_client");
    }

    /// <summary>The decoded role-list blob of an entity value holds exactly the seeded roles.</summary>
    private async Task AssertRoleBlobAsync(VersionContext db, string entityValue)
    {
        var blob = await db.ValueAsync<string>("select entity_buf_decode($1::jsonb, 'blob')", entityValue);
        var decoded = JsonNode.Parse(blob)!.AsArray();
        var expected = roles.ToDictionary(r => r.RoleId);
        Assert.That(decoded.Select(r => (string)r!["roleId"]!), Is.EquivalentTo(expected.Keys), "roles in the blob");
        foreach (var role in decoded)
        {
            Json.AssertSame(Json.Text(role!), Json.Text(expected[(string)role!["roleId"]!].BlobElement()), "role in the blob");
        }
    }
}
