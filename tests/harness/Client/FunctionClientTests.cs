using Tcdb.Client;
using Tcdb.Harness.Tests.Migration;
using static Tcdb.Harness.Tests.Migration.TestSchemas;

namespace Tcdb.Harness.Tests.Client;

[TestFixture]
public sealed class FunctionClientTests
{
    private MigrationTestDatabase db = null!;

    [OneTimeSetUp]
    public async Task UpgradeAsync()
    {
        db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());
        var result = await migrator.UpgradeAsync();
        Assert.That(result.Findings, Is.Empty);
    }

    [OneTimeTearDown]
    public async Task DropAsync() => await db.DisposeAsync();

    [SetUp]
    public Task EmptyAsync() => db.ExecuteAsync("delete from widgets");

    [Test]
    public async Task WriteMethodWithNamedArgumentsInAnyOrderThenReadMethod()
    {
        await using var a = await ClientAsync("svc_a");
        await a.CallAsync("create_widget", new Dictionary<string, object?> { ["data_in"] = """{"x": 1}""", ["name_in"] = "w1" });
        await a.CallAsync("create_widget", "w2", "{}");

        Assert.That((await a.CallAsync("get_widgets")).Select(r => r["name"]), Is.EqualTo(new[] { "w2", "w1" }));
        Assert.That(await db.ScalarAsync<string>("select data::text from widgets where name = 'w1'"), Is.EqualTo("""{"x": 1}"""));
    }

    [Test]
    public async Task ScalarResultColumnIsNamedAfterTheFunctionAndAnyServiceMayRead()
    {
        await using var a = await ClientAsync("svc_a");
        await a.CallAsync("create_widget", "w1", "{}");
        await using var b = await ClientAsync("svc_b");

        Assert.That(await b.CallAsync("widget_count", new Dictionary<string, object?>()), Is.EqualTo(new[] { new Dictionary<string, object?> { ["widget_count"] = 1 } }));
        Assert.That((await b.CallAsync("get_widgets")).Single()["name"], Is.EqualTo("w1"), "svc_b may call svc_a's read methods");
    }

    [Test]
    public async Task AnotherServicesWriteMethodIsRefusedBeforeTouchingTheDatabase()
    {
        // Port 1 refuses connections: the refusal must come before any connection attempt.
        await using var b = await FunctionClient.CreateAsync(WidgetChain(), "svc_b", "Host=127.0.0.1;Port=1", "Host=127.0.0.1;Port=1", new FunctionClientOptions { AllowOlderDatabase = true });
        var error = Assert.ThrowsAsync<MethodNotAllowedException>(() => b.CallAsync("create_widget", "w", "{}"));
        Assert.That(error!.Message, Is.EqualTo("svc_b is not allowed to call read-write methods for svc_a"));
    }

    [Test]
    public async Task ReadMethodsRunInReadOnlyTransactions()
    {
        await using var a = await ClientAsync("svc_a");
        var error = Assert.ThrowsAsync<DbFunctionException>(() => a.CallAsync("bad_read_insert", "w"));
        Assert.That(error!.SqlState, Is.EqualTo(SqlStates.ReadOnlySqlTransaction));
        Assert.That(error.Message, Does.StartWith("bad_read_insert: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)"));
    }

    [Test]
    public async Task ArgumentsThatDoNotFitAreUndefinedFunction()
    {
        await using var a = await ClientAsync("svc_a");
        Assert.That(Assert.ThrowsAsync<DbFunctionException>(() => a.CallAsync("create_widget", "only-one"))!.SqlState, Is.EqualTo(SqlStates.UndefinedFunction));
        var notNamed = new Dictionary<string, object?> { ["name_in"] = "w", ["data"] = "{}" };
        Assert.That(Assert.ThrowsAsync<DbFunctionException>(() => a.CallAsync("create_widget", notNamed))!.SqlState, Is.EqualTo(SqlStates.UndefinedFunction),
            "a key without _in sends the whole map as one positional JSON argument");
        Assert.That(await db.ScalarAsync<long>("select count(*) from widgets"), Is.Zero);
    }

    [Test]
    public async Task InjectionInATextArgumentIsInert()
    {
        await using var a = await ClientAsync("svc_a");
        await a.CallAsync("create_widget", "x'); drop table widgets; --", "{}");
        Assert.That(await db.StringsAsync("select name from widgets"), Is.EqualTo(new[] { "x'); drop table widgets; --" }));
    }

    [Test]
    public async Task DeprecatedMethodsOnlyThroughTheirEntryPoint()
    {
        await using var b = await ClientAsync("svc_b");
        var error = Assert.ThrowsAsync<MethodNotAllowedException>(() => b.CallAsync("count_widgets_old"));
        Assert.That(error!.Message, Is.EqualTo("count_widgets_old is deprecated; call it through Deprecated.CallAsync"));
        Assert.That((await b.Deprecated.CallAsync("count_widgets_old")).Single()["count_widgets_old"], Is.EqualTo(42));
        Assert.That(Assert.ThrowsAsync<MethodNotAllowedException>(() => b.CallAsync("no_such_method"))!.Message, Is.EqualTo("no method named no_such_method in the schema"));
    }

    [Test]
    public async Task StatementTimeoutCancelsSlowCalls()
    {
        await using var a = await ClientAsync("svc_a", new FunctionClientOptions { StatementTimeout = TimeSpan.FromMilliseconds(100) });
        var error = Assert.ThrowsAsync<DbFunctionException>(() => a.CallAsync("slow_read", 5.0));
        Assert.That(error!.SqlState, Is.EqualTo(SqlStates.QueryCanceled));
    }

    [Test]
    public async Task DatabaseOlderThanTheSchemaIsRefusedUnlessAllowed()
    {
        var newer = NewSchema([.. WidgetVersions(), Version(4, null, null)], WidgetAccess(), WidgetTables());
        var connection = db.ServiceConnectionString("svc_a");
        var error = Assert.ThrowsAsync<DatabaseTooOldException>(() => FunctionClient.CreateAsync(newer, "svc_a", connection, connection));
        Assert.That(error!.Message, Is.EqualTo("Database version 3 is older than this software version (schema version 4); upgrade the database first"));

        await using var allowed = await FunctionClient.CreateAsync(newer, "svc_a", connection, connection, new FunctionClientOptions { AllowOlderDatabase = true });
        Assert.That(await allowed.DatabaseVersionAsync(), Is.EqualTo(3));
    }

    [Test]
    public async Task PaginationByOffsetAndByIndex()
    {
        await db.ExecuteAsync("insert into widgets (name, data) select 'w' || lpad(i::text, 2, '0'), '{}' from generate_series(1, 25) i");
        var expected = Enumerable.Range(1, 25).Select(i => $"w{i:00}").ToList();
        await using var a = await ClientAsync("svc_a");

        var byOffset = await a.PaginateByOffsetAsync("list_widgets_offset", new Dictionary<string, object?>(), pageSize: 10).Select(r => (string)r["name"]!).ToListAsync();
        var byIndex = await a.PaginateByIndexAsync("list_widgets_after", new Dictionary<string, object?>(), ["name"], pageSize: 10).Select(r => (string)r["name"]!).ToListAsync();
        Assert.That(byOffset, Is.EqualTo(expected));
        Assert.That(byIndex, Is.EqualTo(expected));
    }

    [Test]
    public async Task PaginationStopsOnlyAtTheFirstEmptyPage()
    {
        var pages = new List<List<IReadOnlyDictionary<string, object?>>> { new() { Row(1) }, new() { Row(2), Row(3) }, new(), new() { Row(99) } };
        var offsets = new List<int>();
        var rows = await Pagination.ByOffsetAsync((size, offset, _) =>
        {
            offsets.Add(offset);
            return Task.FromResult<IReadOnlyList<IReadOnlyDictionary<string, object?>>>(pages[offsets.Count - 1]);
        }, pageSize: 2).ToListAsync();
        Assert.That(rows.Select(r => r["id"]), Is.EqualTo(new object[] { 1, 2, 3 }));
        Assert.That(offsets, Is.EqualTo(new[] { 0, 1, 3 }));

        var afters = new List<object?>();
        var keyed = await Pagination.ByIndexAsync(["id"], (size, after, _) =>
        {
            afters.Add(after["after_id_in"]);
            return Task.FromResult<IReadOnlyList<IReadOnlyDictionary<string, object?>>>(pages[afters.Count - 1]);
        }, pageSize: 2).ToListAsync();
        Assert.That(keyed, Has.Count.EqualTo(3));
        Assert.That(afters, Is.EqualTo(new object?[] { null, 1, 3 }));
    }

    private static Dictionary<string, object?> Row(int id) => new() { ["id"] = id };

    private Task<FunctionClient> ClientAsync(string service, FunctionClientOptions? options = null)
    {
        var connection = db.ServiceConnectionString(service);
        return FunctionClient.CreateAsync(WidgetChain(), service, connection, connection, options);
    }
}
