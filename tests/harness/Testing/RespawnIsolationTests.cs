using System.Text.Json.Nodes;
using Npgsql;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Testing;

/// <summary>
/// FunctionTest with Respawn isolation, as a team with one pre-made database sees it: the server is an external
/// one reached as a role that may not create databases, owning a single database. Every test of the fixture
/// shares that database and must find it empty and at the latest version.
/// </summary>
[TestFixture]
public sealed class RespawnIsolationTests : FunctionTest
{
    private string owner = string.Empty;
    private string databaseName = string.Empty;
    private IPostgresServer? admin;
    private ExternalServer? single;

    protected override string DbDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "function-test");

    protected override FunctionTestIsolation Isolation => FunctionTestIsolation.Respawn;

    [OneTimeSetUp]
    public async Task CreateTheOnlyDatabaseAsync()
    {
        admin = await TestServer.GetAsync();
        var letters = new string([.. Enumerable.Range(0, 8).Select(_ => (char)('a' + Random.Shared.Next(26)))]);
        owner = "tcdb_solo_" + letters;
        databaseName = "tcdb_solo_db_" + letters;
        await AdminExecuteAsync(admin.AdminConnectionString, $"create role {owner} login password 'solo' nocreatedb createrole");
        await AdminExecuteAsync(admin.AdminConnectionString, $"create database {databaseName} owner {owner}");

        // Before PostgreSQL 13 only a superuser may create pgcrypto; the team's DBA would have done this.
        await AdminExecuteAsync(ConnectionStrings.WithDatabase(admin.AdminConnectionString, databaseName), "create extension pgcrypto");
        var url = ConnectionStrings.WithUser(ConnectionStrings.WithDatabase(admin.AdminConnectionString, databaseName), owner, "solo");
        single = await ExternalServer.ConnectAsync(url, requireSuperuser: false);
    }

    [OneTimeTearDown]
    public async Task DropTheOnlyDatabaseAsync()
    {
        if (single is not null)
        {
            await single.DisposeAsync();
        }

        if (admin is null)
        {
            return;
        }

        await AdminExecuteAsync(admin.AdminConnectionString, $"drop database if exists {databaseName} with (force)".Replace(" with (force)", admin.MajorVersion >= 13 ? " with (force)" : string.Empty, StringComparison.Ordinal));
        var prefix = RespawnedDatabase.PrefixFor(databaseName);
        foreach (var service in new[] { "svc_a", "svc_b" })
        {
            await AdminExecuteAsync(admin.AdminConnectionString, $"drop role if exists {prefix}_{service}");
        }

        await AdminExecuteAsync(admin.AdminConnectionString, $"drop role if exists {owner}");
    }

    [Test]
    public async Task A_test_writes_rows_into_the_shared_database()
    {
        await Client("svc_a").CallAsync("create_widget", "left-behind", new JsonObject { ["n"] = 1 });
        await Client("svc_b").CallAsync("create_gadget", "g1");

        Assert.That(await ScalarAsync<long>("select count(*) from widgets"), Is.EqualTo(1));
        Assert.That(Database.Name, Is.EqualTo(databaseName));
    }

    /// <summary>Runs the fixture's teardown and setup inside the test, as NUnit does between two tests, so no test depends on another.</summary>
    [Test]
    public async Task The_next_test_sees_the_same_database_empty_at_the_latest_version()
    {
        await Client("svc_a").CallAsync("create_widget", "left-behind", new JsonObject { ["n"] = 1 });
        await Client("svc_b").CallAsync("create_gadget", "g1");

        await DropFunctionTestDatabaseAsync();
        await CreateFunctionTestDatabaseAsync();

        await AssertEmptyAtLatestAsync();
        Assert.That(Database.Name, Is.EqualTo(databaseName), "every test uses the one database");
    }

    [Test]
    public async Task Tests_run_as_a_role_without_create_database_rights()
    {
        await AssertEmptyAtLatestAsync();

        await AssertSqlStateAsync("42501", () => ExecuteAsync("create database tcdb_solo_forbidden"));
    }

    [Test]
    public async Task Service_clients_log_in_as_roles_of_the_database_s_stable_prefix()
    {
        await Client("svc_b").CallAsync("create_gadget", "g2");

        Assert.That(RolePrefix, Is.EqualTo(RespawnedDatabase.PrefixFor(databaseName)));
        var roles = await QueryAsync("select usename::text as role from pg_stat_activity where datname = current_database() and usename <> current_user");
        Assert.That(roles.Select(r => r["role"]), Has.Some.EqualTo(RolePrefix.Value + "_svc_b"));
    }

    [Test]
    public void The_isolation_variable_accepts_clone_and_respawn_and_names_both_otherwise()
    {
        Assert.That(ParseIsolation(" Respawn"), Is.EqualTo(FunctionTestIsolation.Respawn));
        Assert.That(ParseIsolation("clone"), Is.EqualTo(FunctionTestIsolation.Clone));
        Assert.That(ParseIsolation(null), Is.EqualTo(FunctionTestIsolation.Clone));
        Assert.That(ParseIsolation(""), Is.EqualTo(FunctionTestIsolation.Clone));
        var error = Assert.Throws<ServerUnavailableException>(() => ParseIsolation("truncate"));
        Assert.That(error!.Message, Is.EqualTo("TCDB_ISOLATION='truncate': use clone (a fresh database per test, the default) or respawn (one database, emptied before each test)"));
    }

    protected override Task<IPostgresServer> ServerAsync() => Task.FromResult<IPostgresServer>(single!);

    private static async Task AdminExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task AssertEmptyAtLatestAsync()
    {
        Assert.That(await Client("svc_a").DatabaseVersionAsync(), Is.EqualTo(Schema.LatestVersion));
        var counts = await QueryAsync(
            "select c.relname::text as name, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', c.relname), false, true, '')))[1]::text::int as n " +
            "from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = 'public' and c.relkind = 'r' and c.relname <> 'tcversion'");
        Assert.That(counts.Select(r => r["name"]), Is.EquivalentTo(new[] { "widgets", "gadgets" }));
        Assert.That(counts.Where(r => (int)r["n"]! != 0).Select(r => r["name"]), Is.Empty, "tables with rows a previous test left");
    }
}
