using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The notify service's widgets (the deployment smoke test).</summary>
[TestFixture]
public sealed class NotifyTests : FunctionTest
{
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
}
