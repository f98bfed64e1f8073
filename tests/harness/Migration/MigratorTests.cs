using Tcdb.Migration;
using Tcdb.Schema;
using static Tcdb.Harness.Tests.Migration.TestSchemas;

namespace Tcdb.Harness.Tests.Migration;

[TestFixture]
public sealed class MigratorTests
{
    [Test]
    public async Task FullChainUpDownAndUpAgain()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());

        var up = await migrator.UpgradeAsync();
        Assert.That(up, Has.Property(nameof(UpgradeResult.FromVersion)).EqualTo(0).And.Property(nameof(UpgradeResult.ToVersion)).EqualTo(3));
        Assert.That(up.Checked, Is.True);
        Assert.That(up.Findings, Is.Empty);
        Assert.That(await db.FunctionsAsync(), Is.EqualTo(new[]
        {
            "bad_read_insert", "count_widgets_old", "create_widget", "get_widgets", "list_widgets_after", "list_widgets_offset",
            "slow_read", "split_name", "widget_count", "widget_words",
        }));
        Assert.That(await db.StringsAsync("select rolname from pg_roles where rolname like $1 order by 1", db.Prefix + "%"),
            Is.EqualTo(new[] { db.Prefix + "_svc_a", db.Prefix + "_svc_b" }));
        Assert.That(db.Progress.Where(p => p.Stage == MigrationStage.VersionCompleted).Select(p => p.Message),
            Is.EqualTo(new[] { "upgrade to version 1 successful", "upgrade to version 2 successful", "upgrade to version 3 successful" }));

        var down = await migrator.DowngradeAsync(0);
        Assert.That((down.FromVersion, down.ToVersion, down.InterruptedBefore), Is.EqualTo((3, 0, (OnlineBatch?)null)));
        Assert.That(await migrator.CurrentVersionAsync(), Is.Zero);
        Assert.That(await db.TablesAsync(), Is.EqualTo(new[] { "tcversion" }));
        Assert.That(await db.FunctionsAsync(), Is.Empty);
        Assert.That(await db.StringsAsync("select version from tcversion"), Is.EqualTo(new[] { "0" }));

        var again = await migrator.UpgradeAsync();
        Assert.That(again.ToVersion, Is.EqualTo(3));
        Assert.That(again.Findings, Is.Empty);
    }

    [Test]
    public async Task UpgradeToAVersionSkipsChecksAndNeverDowngrades()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());

        var toOne = await migrator.UpgradeAsync(1);
        Assert.That((toOne.ToVersion, toOne.Checked), Is.EqualTo((1, false)));
        var toTwo = await migrator.UpgradeAsync(2);
        Assert.That(toTwo.FromVersion, Is.EqualTo(1));
        var backwards = await migrator.UpgradeAsync(1);
        Assert.That(backwards.ToVersion, Is.EqualTo(2), "upgrade to an older version is a no-op");

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync(4));
        Assert.That(error!.Message, Is.EqualTo("no such version 4; latest known version is 3"));
    }

    [Test]
    public async Task DowngradeRestoresPreviousDefinitionsAndDropsNewMethods()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());
        await migrator.UpgradeAsync();

        await migrator.DowngradeAsync(2);
        Assert.That(await db.ScalarAsync<string>("select prosrc from pg_proc where proname = 'count_widgets_old'"), Is.EqualTo("begin return 42; end"),
            "the stub of v3 restores v2's full definition");

        await migrator.DowngradeAsync(1);
        Assert.That(await db.ScalarAsync<string>("select prosrc from pg_proc where proname = 'get_widgets'"),
            Does.EndWith("order by widgets.name; end"), "v1's body is back");
        Assert.That(await db.FunctionsAsync(), Does.Not.Contain("split_name").And.Not.Contain("count_widgets_old").And.Not.Contain("widget_words"));
        Assert.That(await db.ScalarAsync<long>("select count(*) from information_schema.columns where table_name = 'widgets' and column_name = 'size'"), Is.Zero);
    }

    [Test]
    public async Task ScriptWithDollarsAndBackslashesRunsIntact()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());
        await migrator.UpgradeAsync(2);

        Assert.That(await db.ScalarAsync<string>("select prosrc from pg_proc where proname = 'widget_words'"), Is.EqualTo(@" select regexp_split_to_array(t, '\s+') "));
        Assert.That(await db.StringsAsync("select unnest(widget_words('a  b' || chr(9) || 'c'))"), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(await db.StringsAsync("select part from split_name('x.y.z')"), Is.EqualTo(new[] { "x", "y", "z" }));
        Assert.That(await db.ScalarAsync<string>("select prosrc from pg_proc where proname = 'split_name'"), Does.Contain(@"'\.'"));
    }

    [Test]
    public async Task FailingMigrationScriptLeavesVersionAndObjectsUnchanged()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var versions = WidgetVersions().Take(1).ToList();
        versions.Add(Version(
            2,
            "begin\n  create table gadgets (id integer);\n  perform 1 / 0;\nend",
            "begin drop table gadgets; end",
            Method("get_gadgets", MethodMode.Read, "svc_a", "", "integer", "begin return 1; end"),
            Method("get_widgets", MethodMode.Read, "svc_a", "", "table (name text)", "begin return query select 'changed'::text; end")));
        await using var migrator = db.Migrator(NewSchema(versions, WidgetAccess()));
        await migrator.UpgradeAsync(1);
        var functionsBefore = await db.FunctionsAsync();
        var bodyBefore = await db.ScalarAsync<string>("select prosrc from pg_proc where proname = 'get_widgets'");

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
        Assert.That(error!.Message, Does.StartWith("version 2: migration script line 3: division by zero (SQLSTATE 22012)"));
        Assert.That((error.Version, error.Script, error.SqlState, error.Line), Is.EqualTo(((int?)2, "migration script", "22012", (int?)3)));
        Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(1));
        Assert.That(await db.TablesAsync(), Is.EqualTo(new[] { "tcversion", "widgets" }));
        Assert.That(await db.FunctionsAsync(), Is.EqualTo(functionsBefore));
        Assert.That(await db.ScalarAsync<string>("select prosrc from pg_proc where proname = 'get_widgets'"), Is.EqualTo(bodyBefore));
    }

    [Test]
    public async Task SyntaxErrorInScriptIsReportedAtLineAndColumn()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(NewSchema([Version(1, "begin\n  create tabel x (id integer);\nend", "begin end")]));

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
        Assert.That(error!.Message, Does.StartWith("version 1: migration script line 2:10: syntax error at or near \"tabel\" (SQLSTATE 42601)"));
        Assert.That(await migrator.CurrentVersionAsync(), Is.Zero);
        Assert.That(await db.TablesAsync(), Is.Empty, "even tcversion, created in version 1's transaction, is rolled back");
    }

    [Test]
    public async Task FailingMethodDefinitionNamesTheMethodAndLine()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var versions = WidgetVersions().Take(1).ToList();
        versions.Add(Version(2, null, null, Method("broken", MethodMode.Read, "svc_a", "", "integer", "begin\n  return 1\n  retrun 2;\nend")));
        await using var migrator = db.Migrator(NewSchema(versions, WidgetAccess()));

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
        Assert.That(error!.Message, Does.StartWith("version 2: method broken line 3:10: syntax error at or near \"2\" (SQLSTATE 42601)"));
        Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task FailingDowngradeScriptLeavesVersionUnchanged()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var versions = WidgetVersions().Take(1).ToList();
        versions.Add(Version(2, "begin create table gadgets (id integer); end", "begin\n  drop table gadgets;\n  raise exception 'nope' using errcode = '0A000';\nend",
            Method("get_widgets", MethodMode.Read, "svc_a", "", "table (name text)", "begin return query select 'v2'::text; end")));
        await using var migrator = db.Migrator(NewSchema(versions, WidgetAccess()));
        await migrator.UpgradeAsync();

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.DowngradeAsync(1));
        Assert.That(error!.Message, Does.StartWith("version 2: downgrade script line 3: nope (SQLSTATE 0A000)"));
        Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(2));
        Assert.That(await db.TablesAsync(), Does.Contain("gadgets"));
        Assert.That(await db.ScalarAsync<string>("select prosrc from pg_proc where proname = 'get_widgets'"), Does.Contain("'v2'"));
    }

    [Test]
    public async Task ConcurrentUpgradesOneFailsClearlyAndNothingIsCorrupted()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var versions = WidgetVersions().Take(1).ToList();
        versions.Add(Version(2, "begin perform pg_sleep(1); create table gadgets (id integer); end", "begin drop table gadgets; end"));
        var schema = NewSchema(versions, WidgetAccess());
        await using (var first = db.Migrator(schema))
        {
            await first.UpgradeAsync(1);
        }

        await using var one = db.Migrator(schema);
        await using var two = db.Migrator(schema);
        var attempts = new[] { one.UpgradeAsync(2), Task.Delay(200).ContinueWith(_ => two.UpgradeAsync(2)).Unwrap() };
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                await t;
                return "ok";
            }
            catch (MigrationException e)
            {
                return e.Message;
            }
        }));

        Assert.That(outcomes, Has.Exactly(1).EqualTo("ok"));
        Assert.That(outcomes, Has.Exactly(1).StartsWith(
            "Multiple DB upgrades running simultaneously: the upgrade to version 2 expected tcversion to hold version 1 but found version 2. Hint:"));
        Assert.That(await one.CurrentVersionAsync(), Is.EqualTo(2));
        Assert.That(await db.ScalarAsync<long>("select count(*) from tcversion"), Is.EqualTo(1));
        Assert.That(await db.TablesAsync(), Is.EqualTo(new[] { "gadgets", "tcversion", "widgets" }));
    }

    [Test]
    public async Task ConcurrentFirstUpgradesCreateTcversionOnce()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var schema = NewSchema([Version(1, "begin perform pg_sleep(0.5); end", "begin end")]);
        await using var one = db.Migrator(schema);
        await using var two = db.Migrator(schema);
        var results = await Task.WhenAll(new[] { one, two }.Select(async m =>
        {
            try
            {
                await m.UpgradeAsync();
                return "ok";
            }
            catch (MigrationException e)
            {
                return e.Message;
            }
        }));

        Assert.That(results, Has.Exactly(1).EqualTo("ok"));
        Assert.That(results, Has.Exactly(1).StartsWith("Multiple DB upgrades running simultaneously"));
        Assert.That(await db.StringsAsync("select version from tcversion"), Is.EqualTo(new[] { "1" }));
    }

    [Test]
    public async Task RolePrefixIsSubstitutedInScripts()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());
        await migrator.UpgradeAsync(1);

        Assert.That(await db.ScalarAsync<bool>("select has_table_privilege($1, 'widgets', 'DELETE')", db.Prefix + "_svc_a"), Is.True);
        Assert.That(await db.ScalarAsync<bool>("select has_table_privilege($1, 'widgets', 'INSERT')", db.Prefix + "_svc_b"), Is.False);
        Assert.That(await db.ScalarAsync<bool>("select has_table_privilege($1, 'tcversion', 'SELECT')", db.Prefix + "_svc_b"), Is.True);
    }

    [Test]
    public async Task AnUpgradeGrantsTheBasicsOnlyToRolesWithoutThemAndLeavesHeldGrantsUntouched()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());
        await migrator.UpgradeAsync(1);
        const string Rows = "select (select xmin::text from pg_namespace where nspname = 'public') || '/' || (select xmin::text from pg_class where oid = 'public.tcversion'::regclass)";
        var before = await db.ScalarAsync<string>(Rows);

        // Every service role holds both grants: another upgrade rewrites neither row (a rewritten schema row makes
        // every session of the database plan its prepared statements again).
        await migrator.UpgradeAsync(2);
        Assert.That(await db.ScalarAsync<string>(Rows), Is.EqualTo(before));

        // A role that lost them gets them back at the next upgrade; the other role's grants are not repeated.
        await db.ExecuteAsync($"revoke usage on schema public from {db.Prefix}_svc_b; revoke select on public.tcversion from {db.Prefix}_svc_b");
        await migrator.UpgradeAsync(3);
        foreach (var role in new[] { db.Prefix + "_svc_a", db.Prefix + "_svc_b" })
        {
            Assert.That(await db.ScalarAsync<bool>("select has_schema_privilege($1, 'public', 'USAGE') and has_table_privilege($1, 'public.tcversion', 'SELECT')", role), Is.True, role);
        }

        Assert.That(
            await db.StringsAsync("select a.privilege_type || ' ' || a.grantee::regrole::text from pg_namespace n, aclexplode(n.nspacl) a where n.nspname = 'public' and a.grantee::regrole::text like $1 order by 1", db.Prefix + "%"),
            Is.EqualTo(new[] { $"USAGE {db.Prefix}_svc_a", $"USAGE {db.Prefix}_svc_b" }));
    }

    [TestCase("")]
    [TestCase("Test")]
    [TestCase("test1")]
    [TestCase("te-st")]
    public void InvalidRolePrefixIsRejected(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => new Migrator(WidgetChain(), "Host=127.0.0.1", new MigratorOptions { RolePrefix = RolePrefix.Parse(prefix) }));
        Assert.That(error!.Message, Does.StartWith($"role prefix '{prefix}' is invalid: it must match ^[a-z_]+$"));
    }

    [Test]
    public async Task ServerVersionGateRefusesOtherMajors()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain(), o => o with { AcceptedMajorVersions = new ServerVersionGate([9], null) });

        var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
        Assert.That(error!.Message, Is.EqualTo($"PostgreSQL {db.Server.MajorVersion} is not supported: the accepted majors are 9"));
        Assert.That(ServerVersionGate.Default.Accepts(11) && ServerVersionGate.Default.Accepts(15) && ServerVersionGate.Default.Accepts(17), Is.True);
        Assert.That(ServerVersionGate.Default.Accepts(13), Is.False);
    }

    [Test]
    public async Task CollationOtherThanEnUsIsRefused()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var name = db.Database.Name + "_c";
        await db.ExecuteAsync($"create database {name} template template0 lc_collate 'C' lc_ctype 'C'");
        try
        {
            await using var migrator = db.Migrator(WidgetChain(), connectionString: Tcdb.Servers.ConnectionStrings.WithDatabase(db.ConnectionString, name));
            var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync());
            Assert.That(error!.Message, Is.EqualTo(
                "Postgres database must have default collation en_US.utf8 (and in particular sort `0` < `a` < `A` < `b` < `B`, for proper slugid ordering); this database is using C, and sorts 'a' >= 'A'."));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await db.ExecuteAsync($"drop database {name}");
        }
    }

    [Test]
    public async Task ServiceRolesGetDerivedPasswords()
    {
        await using var db = await MigrationTestDatabase.CreateAsync();
        var withPassword = Tcdb.Servers.ConnectionStrings.WithUser(db.ConnectionString, new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString).Username!, "admin-secret");
        await using var migrator = db.Migrator(WidgetChain(), connectionString: withPassword);
        await migrator.EnsureServiceRolesAsync();

        Assert.That(await db.ScalarAsync<bool>("select rolpassword is not null and rolcanlogin from pg_authid where rolname = $1", db.Prefix + "_svc_a"), Is.True);
        Assert.That(ServicePassword.Derive("admin-secret", "svc_a"), Has.Length.EqualTo(64).And.Not.EqualTo(ServicePassword.Derive("admin-secret", "svc_b")));
        Assert.That(ServicePassword.Derive("admin-secret", "svc_a"), Is.Not.EqualTo(ServicePassword.Derive("other", "svc_a")));
    }

    [Test]
    public void DollarQuoteTagAvoidsTheText()
    {
        Assert.That(SqlText.DollarQuote("abcd"), Is.EqualTo("$$abcd$$"));
        Assert.That(SqlText.DollarQuote("pre $$abcd$$ post"), Is.EqualTo("$x$pre $$abcd$$ post$x$"));
        Assert.That(SqlText.DollarQuoteTag("$$ and $x$"), Is.EqualTo("$xx$"));
        Assert.That(RolePrefix.Parse("a_b").SubstituteIn("to $db_user_prefix$_queue; -- $db_user_prefix$ $1"), Is.EqualTo("to a_b_queue; -- a_b $1"));
    }
}
