using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The notify service: its widgets (the deployment smoke test) and its denylist (v23) with the entities shim.</summary>
[TestFixture]
public sealed class NotifyTests : FunctionTest
{
    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("notify", "denylisted_notification_entities_load", "denylisted_notification_entities_create", "denylisted_notification_entities_modify", "denylisted_notification_entities_remove", "denylisted_notification_entities_scan"),
            i => $"{i:D3}-{Values.Tricky}",
            "someone@example.com",
            key => new JsonObject { ["notificationType"] = key, ["notificationAddress"] = "someone@example.com" },
            "notificationType"),
    ];

    private FunctionClient Notify => Client("notify");

    [Test]
    public async Task Create_widget_stores_the_name_byte_for_byte()
    {
        await Client("notify").CallAsync("create_widget", Values.Tricky);

        Assert.That(await ScalarAsync<string>("select name from widgets"), Is.EqualTo(Values.Tricky));
    }

    [Test]
    public async Task Creating_an_existing_widget_does_nothing()
    {
        await Client("notify").CallAsync("create_widget", "w");
        var created = await ScalarAsync<DateTime>("select created from widgets where name = 'w'");

        await Client("notify").CallAsync("create_widget", "w");

        Assert.That(await ScalarAsync<long>("select count(*) from widgets"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<DateTime>("select created from widgets where name = 'w'"), Is.EqualTo(created));
    }

    [Test]
    public async Task A_null_name_is_a_not_null_violation()
    {
        await AssertSqlStateAsync("23502", () => Client("notify").CallAsync("create_widget", [null]));
    }

    [Test]
    public void Other_services_cannot_create_widgets()
    {
        var error = Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("create_widget", "w"));

        Assert.That(error!.Message, Is.EqualTo("queue is not allowed to call read-write methods for notify"));
    }

    [Test]
    public async Task A_denylisted_address_is_listed_once_per_type_and_byte_for_byte()
    {
        await Notify.CallAsync("add_denylist_address", "email", Values.Tricky);
        await Notify.CallAsync("add_denylist_address", "email", Values.Tricky);

        Assert.That(await ExistsAsync("email", Values.Tricky), Is.True);
        Assert.That(await ExistsAsync("pulse", Values.Tricky), Is.False, "the denylist is per notification type");
        Assert.That(await ExistsAsync("email", Values.Tricky.ToUpperInvariant()), Is.False, "addresses compare exactly");
        Assert.That(await ScalarAsync<long>("select count(*) from denylisted_notifications"), Is.EqualTo(1));
    }

    [Test]
    public async Task Delete_denylist_address_counts_what_it_removed()
    {
        await Notify.CallAsync("add_denylist_address", "slack-channel", "C012AB3CD");

        Assert.That((await Notify.CallAsync("delete_denylist_address", "slack-channel", "C012AB3CD")).Single()["delete_denylist_address"], Is.EqualTo(1));
        Assert.That((await Notify.CallAsync("delete_denylist_address", "slack-channel", "C012AB3CD")).Single()["delete_denylist_address"], Is.EqualTo(0));
        Assert.That(await ExistsAsync("slack-channel", "C012AB3CD"), Is.False);
    }

    [Test]
    public async Task All_denylist_addresses_pages_in_type_then_address_order()
    {
        var entries = new List<(string Type, string Address)>();
        foreach (var type in new[] { "email", "matrix-room", "pulse" })
        {
            for (var i = 0; i < 3; i++)
            {
                entries.Add((type, $"{i}-{Values.Tricky}"));
            }
        }

        foreach (var (type, address) in entries.AsEnumerable().Reverse())
        {
            await Notify.CallAsync("add_denylist_address", type, address);
        }

        var seen = await Notify.PaginateByIndexAsync("all_denylist_addresses", new Dictionary<string, object?>(), ["notification_type", "notification_address"], pageSize: 2)
            .Select(r => ((string)r["notification_type"]!, (string)r["notification_address"]!)).ToListAsync();

        Assert.That(seen, Is.EqualTo(entries));
    }

    [Test]
    public async Task The_entity_shim_and_the_typed_methods_share_the_denylist()
    {
        await Notify.CallAsync("denylisted_notification_entities_create", "email", "a@example.com", new JsonObject { ["notificationType"] = "email", ["notificationAddress"] = "a@example.com" }, false, 1);

        Assert.That(await ExistsAsync("email", "a@example.com"), Is.True);
        await Notify.CallAsync("add_denylist_address", "pulse", "route.x");
        var entity = (await Notify.CallAsync("denylisted_notification_entities_load", "pulse", "route.x")).Single();
        Assert.That(Json.Same(entity["value"], new JsonObject { ["notificationType"] = "pulse", ["notificationAddress"] = "route.x" }), Is.True, (string)entity["value"]!);
    }

    [Test]
    public async Task Other_services_cannot_change_the_denylist_nor_read_it_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("add_denylist_address", "email", "x"));
        await AssertSqlStateAsync("42501", () => Client("hooks").CallAsync("exists_denylist_address", "email", "x"));
    }

    private async Task<object?> ExistsAsync(string type, string address) =>
        (await Notify.CallAsync("exists_denylist_address", type, address)).Single()["exists_denylist_address"];
}
