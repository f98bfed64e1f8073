using System.Text.Json.Nodes;
using Bogus;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The secrets service: the relational secrets table and its entities shim.</summary>
[TestFixture]
public sealed class SecretsTests : FunctionTest
{
    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("secrets", "secrets_entities_load", "secrets_entities_create", "secrets_entities_modify", "secrets_entities_remove", "secrets_entities_scan", Deprecated: true),
            i => $"{i:D3}/{Values.Tricky}",
            "secret",
            key => new JsonObject { ["name"] = key, ["secret"] = Values.TrickyJson(), ["expires"] = Times.JsIso(DateTime.UtcNow.AddDays(1)) },
            "secret"),
    ];

    private readonly Faker faker = new();

    private FunctionClient Secrets => Client("secrets");

    [Test]
    public async Task Upsert_then_get_returns_the_secret_byte_for_byte()
    {
        var expires = Times.Now().AddDays(3);
        await Secrets.CallAsync("upsert_secret", Values.Tricky, Values.TrickyJson(), expires);

        var row = (await Secrets.CallAsync("get_secret", Values.Tricky)).Single();

        Assert.That(row["name"], Is.EqualTo(Values.Tricky));
        Assert.That(Json.Parse(row["encrypted_secret"])!.ToJsonString(), Is.EqualTo(Values.TrickyJson().ToJsonString()));
        Assert.That(row["expires"], Is.EqualTo(expires));
    }

    [Test]
    public async Task Upsert_of_an_existing_secret_replaces_value_and_expiry()
    {
        await Secrets.CallAsync("upsert_secret", "s", new JsonObject { ["v"] = 1 }, Times.Now().AddDays(1));
        var later = Times.Now().AddDays(9);
        await Secrets.CallAsync("upsert_secret", "s", new JsonObject { ["v"] = 2 }, later);

        var row = (await Secrets.CallAsync("get_secret", "s")).Single();

        Assert.That(Json.Parse(row["encrypted_secret"])!["v"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(row["expires"], Is.EqualTo(later));
    }

    [Test]
    public async Task Get_and_delete_of_a_missing_secret_are_harmless()
    {
        Assert.That(await Secrets.CallAsync("get_secret", "missing"), Is.Empty);
        Assert.DoesNotThrowAsync(() => Secrets.CallAsync("delete_secret", "missing"));

        await Secrets.CallAsync("upsert_secret", "present", new JsonObject(), Times.Now().AddDays(1));
        await Secrets.CallAsync("delete_secret", "present");
        Assert.That(await Secrets.CallAsync("get_secret", "present"), Is.Empty);
    }

    [Test]
    public async Task Expired_secrets_are_still_readable_until_expire_secrets_removes_them()
    {
        await Secrets.CallAsync("upsert_secret", "old", new JsonObject(), Times.Now().AddMinutes(-1));
        await Secrets.CallAsync("upsert_secret", "new", new JsonObject(), Times.Now().AddDays(1));

        Assert.That(await Secrets.CallAsync("get_secret", "old"), Has.Count.EqualTo(1));
        var deleted = (await Secrets.CallAsync("expire_secrets")).Single()["expire_secrets"];

        Assert.That(deleted, Is.EqualTo(1));
        Assert.That(await Secrets.CallAsync("get_secret", "old"), Is.Empty);
        Assert.That(await Secrets.CallAsync("get_secret", "new"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Get_secrets_pages_across_page_boundaries_in_name_order()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"{i:D2}-{faker.Internet.DomainWord()}").ToList();
        foreach (var name in names)
        {
            await Secrets.CallAsync("upsert_secret", name, new JsonObject(), Times.Now().AddDays(1));
        }

        var seen = await Secrets.PaginateByIndexAsync("get_secrets", new Dictionary<string, object?>(), ["name"], pageSize: 3)
            .Select(r => (string)r["name"]!).ToListAsync();

        Assert.That(seen, Is.EqualTo(names));
        Assert.That(await Secrets.CallAsync("get_secrets", 3, names[^1]), Is.Empty);
    }

    [Test]
    public async Task Another_service_may_read_secrets_but_not_write_them()
    {
        await Secrets.CallAsync("upsert_secret", "shared", new JsonObject(), Times.Now().AddDays(1));

        // The client allows cross-service reads; the grants of access.yml do not.
        await AssertSqlStateAsync("42501", () => Client("notify").CallAsync("get_secret", "shared"));
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("notify").CallAsync("delete_secret", "shared"));
    }
}
