using Tcdb.Runs;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Runs;

/// <summary>
/// The template chain with a recording advance that leaves one table per version reached: one upward pass,
/// templates that hold their version's state, unreachable and failing versions, and everything dropped with the scope
/// (databases dropped in the background included).
/// </summary>
[TestFixture]
public sealed class TemplateChainTests
{
    [Test]
    public async Task Prepared_templates_come_from_one_ascending_pass()
    {
        var steps = new List<(int From, int To)>();
        await using var scope = await ScopeAsync();
        var chain = new TemplateChain(scope, Advance(steps));

        var pass = chain.Prepare([5, 0, 2], CancellationToken.None);
        var templates = await Task.WhenAll(chain.TemplateAsync(5), chain.TemplateAsync(2), chain.TemplateAsync(0));
        await pass;

        Assert.That(steps, Is.EqualTo(new[] { (0, 2), (2, 5) }), "one pass, in order, whatever order the consumers asked in");
        Assert.That(await Task.WhenAll(templates.Select(t => VersionAsync(t!))), Is.EqualTo(new[] { 5, 2, 0 }));
        Assert.That(await chain.TemplateAsync(2), Is.SameAs(templates[1]), "a template is made once");
        Assert.That(await templates[2]!.ScalarAsync<bool>("select exists (select from pg_extension where extname = 'pgcrypto')"), Is.True, "a fresh database has the required extensions");
    }

    [Test]
    public async Task A_version_below_the_builder_starts_from_the_nearest_template_beneath_it()
    {
        var steps = new List<(int From, int To)>();
        await using var scope = await ScopeAsync();
        var chain = new TemplateChain(scope, Advance(steps));
        await chain.TemplateAsync(2);
        await chain.TemplateAsync(6);

        var clone = await chain.CloneAsync(4);

        Assert.That(steps, Is.EqualTo(new[] { (0, 2), (2, 6), (2, 4) }));
        Assert.That(await VersionAsync(clone!), Is.EqualTo(4));
        Assert.That(await clone!.ScalarAsync<long>("select count(*) from pg_class where relname like 'reached_%'"), Is.EqualTo(4), "the clone holds the state of version 4, nothing of 5 or 6");
    }

    [Test]
    public async Task A_version_the_chain_cannot_reach_has_no_template_nor_has_any_above_it()
    {
        var steps = new List<(int From, int To)>();
        await using var scope = await ScopeAsync();
        var chain = new TemplateChain(scope, Advance(steps, unreachable: 3));

        await chain.Prepare([1, 4, 6], CancellationToken.None);

        Assert.That(await chain.TemplateAsync(1), Is.Not.Null);
        Assert.That(await chain.TemplateAsync(4), Is.Null);
        Assert.That(await chain.TemplateAsync(6), Is.Null);
        Assert.That(await chain.CloneAsync(7), Is.Null);
        Assert.That(steps, Is.EqualTo(new[] { (0, 1), (1, 4) }), "nothing is tried above the first version that cannot be reached");
        Assert.That(await VersionAsync((await chain.CloneAsync(2))!), Is.EqualTo(2), "versions below it still can be");
    }

    [Test]
    public async Task A_failing_version_fails_every_request_for_it_with_the_same_error()
    {
        var calls = 0;
        await using var scope = await ScopeAsync();
        var chain = new TemplateChain(scope, (_, _, to, _) => ++calls > 0 && to == 3 ? throw new InvalidOperationException("drift at 3") : Task.FromResult(true));

        var first = Assert.ThrowsAsync<InvalidOperationException>(() => chain.CloneAsync(3))!;
        var second = Assert.ThrowsAsync<InvalidOperationException>(() => chain.CloneAsync(3))!;

        Assert.That((first.Message, second.Message, calls), Is.EqualTo(("drift at 3", "drift at 3", 1)));
        Assert.That(await chain.CloneAsync(2), Is.Not.Null, "another version is made afresh");
    }

    [Test]
    public async Task The_scope_drops_its_databases_then_its_service_roles()
    {
        var server = await TestServer.GetAsync();
        var scope = new RunScope(server, RolePrefix.Random("tcrun"));
        var chain = new TemplateChain(scope, Advance([]));
        var clone = (await chain.CloneAsync(2))!;
        var role = scope.RolePrefix.RoleFor("queue");
        await clone.ExecuteAsync($"create role {role}; create table owned (id integer); grant select on owned to {role}");
        var names = new[] { clone.Name, (await chain.TemplateAsync(2))!.Name };
        var admin = new ServerDatabase(server, "postgres", server.AdminConnectionString, owned: false);
        var lookalike = "tcrunx_" + scope.RolePrefix.Value[^8..] + "_queue";
        await admin.ExecuteAsync($"create role {lookalike}");
        try
        {
            await scope.DisposeAsync();

            Assert.That(await admin.ScalarAsync<long>("select count(*) from pg_database where datname = any($1)", (object)names), Is.Zero);
            Assert.That(await admin.ScalarAsync<long>("select count(*) from pg_roles where rolname = $1", role), Is.Zero);
            Assert.That(await admin.ScalarAsync<long>("select count(*) from pg_roles where rolname = $1", lookalike), Is.EqualTo(1), "a role of another prefix stays");
        }
        finally
        {
            await admin.ExecuteAsync($"drop role if exists {lookalike}");
        }
    }

    [Test]
    public async Task A_role_a_database_outside_the_scope_still_uses_is_reported_and_kept()
    {
        var server = await TestServer.GetAsync();
        var lines = new List<string>();
        var scope = new RunScope(server, RolePrefix.Random("tcrun"), lines.Add);
        var role = scope.RolePrefix.RoleFor("queue");
        await using var outside = await server.CreateDatabaseAsync();
        await outside.ExecuteAsync($"create role {role}; create table kept (id integer); grant select on kept to {role}");
        try
        {
            await scope.DisposeAsync();

            Assert.That(lines, Has.Count.EqualTo(1).And.Some.StartsWith($"tcdb: role {role} not dropped: "));
        }
        finally
        {
            await outside.ExecuteAsync($"drop table kept; drop role {role}");
        }
    }

    [Test]
    public async Task Databases_dropped_in_the_background_are_gone_when_the_scope_ends()
    {
        var server = await TestServer.GetAsync();
        var scope = new RunScope(server, RolePrefix.Random("tcrun"));
        var chain = new TemplateChain(scope, Advance([]));
        var clones = new List<ServerDatabase>();
        for (var i = 0; i < RunScope.ParallelDrops * 2 + 1; i++)
        {
            clones.Add((await chain.CloneAsync(1))!);
        }

        foreach (var clone in clones)
        {
            await scope.DropSoonAsync(clone);
        }

        var names = clones.Select(c => c.Name).Append((await chain.TemplateAsync(1))!.Name).ToArray();
        await scope.DisposeAsync();

        var admin = new ServerDatabase(server, "postgres", server.AdminConnectionString, owned: false);
        Assert.That(await admin.ScalarAsync<long>("select count(*) from pg_database where datname = any($1)", (object)names), Is.Zero, "the background drops and the rest");
    }

    [Test]
    public async Task A_failed_background_drop_fails_the_disposal_once_the_rest_is_dropped()
    {
        var server = await TestServer.GetAsync();
        var scope = new RunScope(server, RolePrefix.Random("tcrun"));
        var chain = new TemplateChain(scope, Advance([]));
        var undroppable = (await chain.CloneAsync(1))!;
        var other = (await chain.CloneAsync(1))!;
        var admin = new ServerDatabase(server, "postgres", server.AdminConnectionString, owned: false);
        var role = scope.RolePrefix.RoleFor("queue");
        await admin.ExecuteAsync($"create role {role}");
        await admin.ExecuteAsync($"alter database {undroppable.Name} is_template true");
        try
        {
            await scope.DropSoonAsync(undroppable);

            var failure = Assert.ThrowsAsync<Npgsql.PostgresException>(async () => await scope.DisposeAsync())!;

            Assert.That(failure.MessageText, Does.Contain("cannot drop a template database"));
            Assert.That(await admin.ScalarAsync<long>("select count(*) from pg_database where datname = $1", other.Name), Is.Zero, "the other databases are dropped");
            Assert.That(await admin.ScalarAsync<long>("select count(*) from pg_roles where rolname = $1", role), Is.Zero, "and the roles");
        }
        finally
        {
            await admin.ExecuteAsync($"alter database {undroppable.Name} is_template false");
            await admin.ExecuteAsync($"drop database if exists {undroppable.Name}");
            await admin.ExecuteAsync($"drop role if exists {role}");
        }
    }

    private static async Task<RunScope> ScopeAsync() => new(await TestServer.GetAsync(), RolePrefix.Random("tcrun"));

    /// <summary>An advance that creates table reached_N for each version N it passes, records its steps, and stops before <paramref name="unreachable"/>.</summary>
    private static TemplateAdvance Advance(List<(int From, int To)> steps, int? unreachable = null) => async (database, from, to, _) =>
    {
        steps.Add((from, to));
        for (var version = from + 1; version <= to; version++)
        {
            if (version == unreachable)
            {
                return false;
            }

            await database.ExecuteAsync($"create table reached_{version} (id integer)");
        }

        return true;
    };

    private static async Task<int> VersionAsync(ServerDatabase database) =>
        (int)(await database.ScalarAsync<long>("select count(*) from pg_class where relname like 'reached_%'"));
}
