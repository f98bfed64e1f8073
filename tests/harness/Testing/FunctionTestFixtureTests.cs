using System.Text.Json.Nodes;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Testing;

/// <summary>The FunctionTest fixture over TestData/function-test: widgets for svc_a, gadgets for svc_b.</summary>
[TestFixture]
public sealed class FunctionTestFixtureTests : FunctionTest
{
    protected override string DbDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "function-test");

    [Test]
    public async Task A_row_written_in_a_test_is_there_during_the_test()
    {
        await Client("svc_a").CallAsync("create_widget", "isolation-probe", new JsonObject { ["n"] = 1 });

        var names = await Client("svc_a").CallAsync("get_widget_names");

        Assert.That(names.Select(r => r["name"]), Is.EqualTo(new[] { "isolation-probe" }));
    }

    /// <summary>Runs the fixture's teardown and setup inside the test, as NUnit does between two tests, so no test depends on another.</summary>
    [Test]
    public async Task The_next_test_gets_a_fresh_database_without_it()
    {
        await Client("svc_a").CallAsync("create_widget", "isolation-probe", new JsonObject { ["n"] = 1 });
        var first = Database.Name;

        await DropFunctionTestDatabaseAsync();
        await CreateFunctionTestDatabaseAsync();

        Assert.That(await Client("svc_a").CallAsync("get_widget_names"), Is.Empty);
        Assert.That(Database.Name, Is.Not.EqualTo(first));
        Assert.That(await DroppedWithinAsync(first, TimeSpan.FromSeconds(60)), Is.True, "the previous test's clone is dropped (in the background)");
    }

    [Test]
    public async Task The_database_is_at_the_latest_version()
    {
        Assert.That(await Client("svc_a").DatabaseVersionAsync(), Is.EqualTo(Schema.LatestVersion));
    }

    [Test]
    public async Task The_service_client_logs_in_as_the_service_role()
    {
        await Client("svc_b").CallAsync("create_gadget", "g1");

        var roles = await QueryAsync("select usename::text as role from pg_stat_activity where datname = current_database() and usename <> current_user");

        Assert.That(roles.Select(r => r["role"]), Has.Some.EqualTo(RolePrefix.Value + "_svc_b"));
    }

    [Test]
    public async Task The_service_client_cannot_read_a_table_access_yml_does_not_grant()
    {
        var error = await AssertSqlStateAsync("42501", () => Client("svc_b").CallAsync("count_widgets_for_b"));

        Assert.That(error.Message, Does.Contain("permission denied"));
    }

    [Test]
    public async Task The_admin_client_bypasses_grants_but_keeps_the_client_rules()
    {
        var rows = await AdminClient("svc_b").CallAsync("count_widgets_for_b");

        Assert.That(rows.Single()["count_widgets_for_b"], Is.Zero);
        Assert.ThrowsAsync<MethodNotAllowedException>(() => AdminClient("svc_b").CallAsync("create_widget", "w", new JsonObject()));
    }

    [Test]
    public void An_unknown_service_is_refused_with_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => Client("svc_c"));

        Assert.That(error!.Message, Does.Contain("access.yml has no service svc_c; services: svc_a, svc_b"));
    }

    [Test]
    public async Task The_sql_state_assertion_passes_and_returns_the_error_when_the_state_matches()
    {
        await Client("svc_a").CallAsync("create_widget", "dup", new JsonObject());

        var error = await AssertSqlStateAsync(SqlStates.UniqueViolation, () => Client("svc_a").CallAsync("create_widget", "dup", new JsonObject()));

        Assert.That(error, Is.TypeOf<DbFunctionException>().With.Property(nameof(DbFunctionException.SqlState)).EqualTo("23505"));
    }

    [Test]
    public async Task The_sql_state_assertion_fails_naming_both_states_and_the_error_text()
    {
        await Client("svc_a").CallAsync("create_widget", "dup", new JsonObject());

        var failure = Assert.ThrowsAsync<AssertionException>(
            () => AssertSqlStateAsync(SqlStates.CheckViolation, () => Client("svc_a").CallAsync("create_widget", "dup", new JsonObject())));

        Assert.That(failure!.Message, Does.Contain("expected SQLSTATE 23514 (CheckViolation), but the call failed with 23505 (UniqueViolation): create_widget: duplicate key value violates unique constraint \"widgets_pkey\""));
    }

    [Test]
    public void The_sql_state_assertion_fails_when_the_call_succeeds()
    {
        var failure = Assert.ThrowsAsync<AssertionException>(
            () => AssertSqlStateAsync(SqlStates.UniqueViolation, () => Client("svc_a").CallAsync("create_widget", "once", new JsonObject())));

        Assert.That(failure!.Message, Does.Contain("expected SQLSTATE 23505 (UniqueViolation), but the call succeeded"));
    }

    [Test]
    public async Task The_sql_state_assertion_accepts_errors_of_admin_statements()
    {
        await AssertSqlStateAsync(SqlStates.UndefinedTable, () => ExecuteAsync("select 1 from no_such_table"));
    }

    [Test]
    public async Task Table_assertions_hold_both_ways()
    {
        await DbAssert.TableExistsAsync(Database, "widgets");
        await DbAssert.NoTableAsync(Database, "sprockets");

        var missing = Assert.ThrowsAsync<AssertionException>(() => DbAssert.TableExistsAsync(Database, "sprockets"));
        var present = Assert.ThrowsAsync<AssertionException>(() => DbAssert.NoTableAsync(Database, "gadgets"));

        Assert.That(missing!.Message, Does.Contain("expected table sprockets to exist").And.Contain("tables: gadgets, tcversion, widgets"));
        Assert.That(present!.Message, Does.Contain("expected no table gadgets in " + Database.Name + ", but it exists"));
    }

    [Test]
    public async Task Column_assertions_hold_both_ways()
    {
        await DbAssert.ColumnExistsAsync(Database, "widgets", "size");
        await DbAssert.NoColumnAsync(Database, "widgets", "colour");

        var missing = Assert.ThrowsAsync<AssertionException>(() => DbAssert.ColumnExistsAsync(Database, "widgets", "colour"));
        var present = Assert.ThrowsAsync<AssertionException>(() => DbAssert.NoColumnAsync(Database, "widgets", "data"));
        var noTable = Assert.ThrowsAsync<AssertionException>(() => DbAssert.ColumnExistsAsync(Database, "sprockets", "name"));

        Assert.That(missing!.Message, Does.Contain("expected column widgets.colour to exist; columns of widgets: name, data, size"));
        Assert.That(present!.Message, Does.Contain("expected no column widgets.data, but it exists"));
        Assert.That(noTable!.Message, Does.Contain("table sprockets has no columns (or does not exist)"));
    }

    [Test]
    public async Task Index_assertions_hold_both_ways()
    {
        await DbAssert.IndexOnColumnAsync(Database, "widgets", "size");
        await DbAssert.IndexOnColumnAsync(Database, "widgets", "name");
        await DbAssert.NoIndexOnColumnAsync(Database, "widgets", "data");

        var missing = Assert.ThrowsAsync<AssertionException>(() => DbAssert.IndexOnColumnAsync(Database, "widgets", "data"));
        var present = Assert.ThrowsAsync<AssertionException>(() => DbAssert.NoIndexOnColumnAsync(Database, "widgets", "size"));

        Assert.That(missing!.Message, Does.Contain("expected an index on widgets.data (as first key column); indexes of widgets: ")
            .And.Contain("CREATE INDEX widgets_size_idx ON public.widgets USING btree (size)")
            .And.Contain("CREATE UNIQUE INDEX widgets_pkey ON public.widgets USING btree (name)"));
        Assert.That(present!.Message, Does.Contain("expected no index on widgets.size, but found: CREATE INDEX widgets_size_idx ON public.widgets USING btree (size)"));
    }

    [Test]
    public async Task Admin_helpers_bind_parameters_byte_for_byte()
    {
        const string name = @"C:\new\table ✓ 'quoted' $1";
        await ExecuteAsync("insert into widgets (name, data) values ($1, $2::jsonb)", name, """{"path": "C:\\new\\table"}""");

        var stored = await ScalarAsync<string>("select name from widgets where data ->> 'path' = $1", @"C:\new\table");
        var rows = await QueryAsync("select name, size from widgets");

        Assert.That(stored, Is.EqualTo(name));
        Assert.That(rows.Single()["size"], Is.Null);
        Assert.That(await ScalarAsync<string>("select name from widgets where name = 'none'"), Is.Null);
    }

    private async Task<bool> DroppedWithinAsync(string name, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await ScalarAsync<bool>("select exists (select from pg_database where datname = $1)", name))
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    [Test]
    public void The_db_directory_is_found_walking_up_from_a_folder()
    {
        var root = Directory.CreateTempSubdirectory("tcdb-fntest-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "db", "versions"));
            var deep = Directory.CreateDirectory(Path.Combine(root.FullName, "tests", "fns", "bin"));

            Assert.That(DbDirectories.Find(deep.FullName), Is.EqualTo(Path.Combine(root.FullName, "db")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Test]
    public void A_missing_db_directory_is_reported_with_the_starting_folder()
    {
        var root = Directory.CreateTempSubdirectory("tcdb-fntest-");
        try
        {
            var error = Assert.Throws<DirectoryNotFoundException>(() => DbDirectories.Find(root.FullName));

            Assert.That(error!.Message, Does.Contain($"no db/versions folder in {root.FullName} or any folder above it"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
