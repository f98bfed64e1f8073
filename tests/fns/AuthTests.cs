using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;

namespace Tcdb.Fns.Tests;

/// <summary>The auth service: clients and roles tables and their entities shims.</summary>
[TestFixture]
public sealed class AuthTests : Tcdb.Testing.FunctionTest
{
    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("auth", "clients_entities_load", "clients_entities_create", "clients_entities_modify", "clients_entities_remove", "clients_entities_scan"),
            i => $"{i:D3}/client/{Values.Tricky}",
            "client",
            ClientProperties,
            "description"),
        new(
            new("auth", "roles_entities_load", "roles_entities_create", "roles_entities_modify", "roles_entities_remove", "roles_entities_scan"),
            _ => "role",
            "role",
            _ => EntityBuffers.With(new JsonObject(), "blob", new JsonArray(Role("r1")).ToJsonString()),
            "__bufchunks_blob",
            Singleton: true),
    ];

    private readonly Faker faker = new();

    private Tcdb.Client.FunctionClient Auth => Client("auth");

    [Test]
    public async Task Create_then_get_client_round_trips_every_field()
    {
        var expires = Times.Now().AddDays(30);
        await CreateClientAsync(Values.Tricky, expires);

        var row = (await Auth.CallAsync("get_client", Values.Tricky)).Single();

        Assert.That(row["client_id"], Is.EqualTo(Values.Tricky));
        Assert.That(row["description"], Is.EqualTo(Values.Tricky));
        Assert.That(Json.Parse(row["encrypted_access_token"])!.ToJsonString(), Is.EqualTo(Values.TrickyJson().ToJsonString()));
        Assert.That(row["expires"], Is.EqualTo(expires));
        Assert.That(row["disabled"], Is.False);
        Assert.That(row["delete_on_expiration"], Is.True);
    }

    [Test]
    public async Task Creating_an_existing_client_is_a_unique_violation()
    {
        await CreateClientAsync("dup", Times.Now().AddDays(1));

        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateClientAsync("dup", Times.Now().AddDays(1)));
    }

    [Test]
    public async Task Missing_clients_give_no_row_and_deleting_them_is_harmless()
    {
        Assert.That(await Auth.CallAsync("get_client", "nobody"), Is.Empty);
        Assert.DoesNotThrowAsync(() => Auth.CallAsync("delete_client", "nobody"));
        Assert.DoesNotThrowAsync(() => Auth.CallAsync("update_client_last_used", "nobody"));

        await CreateClientAsync("somebody", Times.Now().AddDays(1));
        await Auth.CallAsync("delete_client", "somebody");
        Assert.That(await Auth.CallAsync("get_client", "somebody"), Is.Empty);
    }

    [Test]
    public async Task Update_client_last_used_moves_only_last_date_used()
    {
        await CreateClientAsync("c", Times.Now().AddDays(1));
        await ExecuteAsync("update clients set last_date_used = now() - interval '1 day'");
        var before = (await Auth.CallAsync("get_client", "c")).Single();

        await Auth.CallAsync("update_client_last_used", "c");

        var after = (await Auth.CallAsync("get_client", "c")).Single();
        Assert.That((DateTime)after["last_date_used"]!, Is.GreaterThan((DateTime)before["last_date_used"]!));
        Assert.That(after["last_modified"], Is.EqualTo(before["last_modified"]));
    }

    [Test]
    public async Task Get_clients_filters_by_prefix_and_pages_across_boundaries()
    {
        var ids = Enumerable.Range(0, 5).Select(i => $"project/{i:D2}-{faker.Internet.UserName()}").ToList();
        foreach (var id in ids.Append("other/x").Append("project"))
        {
            await CreateClientAsync(id, Times.Now().AddDays(1));
        }

        var seen = await Auth.PaginateByIndexAsync("get_clients", new Dictionary<string, object?> { ["prefix_in"] = "project/" }, ["client_id"], pageSize: 2)
            .Select(r => (string)r["client_id"]!).ToListAsync();

        Assert.That(seen, Is.EqualTo(ids));
        Assert.That(await Auth.CallAsync("get_clients", null, 100, null), Has.Count.EqualTo(7));
    }

    [Test]
    public async Task Modify_roles_replaces_the_list_with_optimistic_concurrency()
    {
        Assert.That(await Auth.CallAsync("get_roles"), Is.Empty);
        await Auth.CallAsync("modify_roles", new JsonArray(RoleRow("d/" + Values.Tricky), RoleRow("b")), null);

        var roles = await Auth.CallAsync("get_roles");
        Assert.That(roles.Select(r => r["role_id"]), Is.EqualTo(new[] { "b", "d/" + Values.Tricky }));
        var etag = roles[0]["etag"];
        Assert.That(roles.Select(r => r["etag"]).Distinct().Count(), Is.EqualTo(1));

        await Auth.CallAsync("modify_roles", new JsonArray(RoleRow("c")), etag);
        Assert.That((await Auth.CallAsync("get_roles")).Select(r => r["role_id"]), Is.EqualTo(new[] { "c" }));

        // The old etag is stale now; so is "no roles yet".
        await AssertSqlStateAsync("P0004", () => Auth.CallAsync("modify_roles", new JsonArray(RoleRow("d")), etag));
        await AssertSqlStateAsync("P0004", () => Auth.CallAsync("modify_roles", new JsonArray(RoleRow("d")), null));
    }

    [Test]
    public void Another_service_cannot_write_clients()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("secrets").CallAsync("delete_client", "c"));
    }

    [Test]
    public async Task Another_service_reading_clients_is_stopped_by_the_grants()
    {
        await AssertSqlStateAsync("42501", () => Client("secrets").CallAsync("get_client", "c"));
    }

    private Task CreateClientAsync(string id, DateTime expires) =>
        Auth.CallAsync("create_client", id, Values.Tricky, Values.TrickyJson(), expires, false, new JsonArray("assume:" + id), true);

    private static JsonObject ClientProperties(string key)
    {
        var now = Times.JsIso(DateTime.UtcNow);
        return new JsonObject
        {
            ["clientId"] = key,
            ["description"] = Values.Tricky,
            ["accessToken"] = Values.TrickyJson(),
            ["expires"] = Times.JsIso(DateTime.UtcNow.AddDays(1)),
            ["disabled"] = false,
            ["scopes"] = new JsonArray("scope:a"),
            ["details"] = new JsonObject { ["created"] = now, ["lastModified"] = now, ["lastDateUsed"] = now, ["lastRotated"] = now, ["deleteOnExpiration"] = true },
        };
    }

    private static JsonObject Role(string id) =>
        new() { ["roleId"] = id, ["scopes"] = new JsonArray("s"), ["description"] = Values.Tricky, ["created"] = Times.JsIso(DateTime.UtcNow), ["lastModified"] = Times.JsIso(DateTime.UtcNow) };

    private static JsonObject RoleRow(string id) =>
        new() { ["role_id"] = id, ["scopes"] = new JsonArray("s"), ["description"] = "d", ["created"] = Times.JsIso(DateTime.UtcNow), ["last_modified"] = Times.JsIso(DateTime.UtcNow) };
}
