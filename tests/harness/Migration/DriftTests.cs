using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Snapshots;

namespace Tcdb.Harness.Tests.Migration;

/// <summary>
/// Grant and column drift as functions of a catalog snapshot, without a database: each defect fed in is caught
/// with its message, and each valid look-alike passes.
/// </summary>
public sealed class DriftTests
{
    private static readonly RolePrefix Prefix = RolePrefix.Parse("tc");

    private static readonly IReadOnlyList<ServiceAccess> Access =
    [
        new("queue", new Dictionary<string, TableAccess> { ["tasks"] = TableAccess.Write }),
        new("web-server", new Dictionary<string, TableAccess> { ["tasks"] = TableAccess.Read, ["board"] = TableAccess.Read }),
    ];

    private static readonly string[] Valid =
    [
        "SELECT on table public.tasks to tc_queue",
        "INSERT on table public.tasks to tc_queue",
        "UPDATE on table public.tasks to tc_queue",
        "DELETE on table public.tasks to tc_queue",
        "SELECT on table public.tasks to tc_web_server",
        "SELECT on view public.board to tc_web_server",
    ];

    public static IEnumerable<TestCaseData> GrantDefects()
    {
        yield return Grants("an extra privilege", [.. Valid, "TRUNCATE on table public.tasks to tc_queue"], "unexpected database user grant: tc_queue: TRUNCATE on tasks");
        yield return Grants("a missing privilege", Valid.Where(g => !g.StartsWith("DELETE", StringComparison.Ordinal)), "missing database user grant: tc_queue: DELETE on tasks");
        yield return Grants("a table access.yml does not list", [.. Valid, "SELECT on table public.secrets to tc_web_server"], "unexpected database user grant: tc_web_server: SELECT on secrets");
        yield return Grants("a grant on a materialized view", [.. Valid, "SELECT on materialized view public.stats to tc_queue"], "unexpected database user grant: tc_queue: SELECT on stats");
        yield return Grants(
            "a column-only grant of an expected privilege",
            [.. Valid.Where(g => g != "SELECT on table public.tasks to tc_web_server"), "SELECT (state) on table public.tasks to tc_web_server", "SELECT (task_id) on table public.tasks to tc_web_server"],
            "column-only database user grant: tc_web_server: SELECT on tasks is granted on columns (task_id, state) instead of the whole table");
        yield return Grants("a column grant of an unexpected privilege", [.. Valid, "UPDATE (state) on table public.tasks to tc_web_server"], "unexpected database user grant: tc_web_server: UPDATE on tasks (columns state)");
        yield return Grants("a column named like a grant", [.. Valid, "UPDATE (x on table public.y) on table public.tasks to tc_web_server"], "unexpected database user grant: tc_web_server: UPDATE on tasks (columns x on table public.y)");
        yield return Roles("a dangerous attribute", Role("tc_queue", ("create db", "yes")), "tc_queue has attribute CREATEDB");
        yield return Roles("a superuser", Role("tc_web_server", ("superuser", "yes"), ("bypass rls", "yes")), "tc_web_server has attribute SUPERUSER", "tc_web_server has attribute BYPASSRLS");
        yield return Roles("a membership", Role("tc_queue", ("member of", "pg_read_all_data, tc_group")), "tc_queue has unexpected role pg_read_all_data", "tc_queue has unexpected role tc_group");
    }

    public static IEnumerable<TestCaseData> GrantLookAlikes()
    {
        yield return Grants("the grants of access.yml", Valid);
        yield return Grants("grants on tcversion", [.. Valid, "SELECT on table public.tcversion to tc_queue", "UPDATE on table public.tcversion to tc_web_server"]);
        yield return Grants("grants on a sequence, a function and the schema", [.. Valid, "USAGE on sequence public.tasks_seq to tc_queue", "EXECUTE on function public.f() to tc_queue", "USAGE on schema public to tc_queue"]);
        yield return Grants("grants on a table of another schema", [.. Valid, "SELECT on table extra.tasks to tc_queue"]);
        yield return Grants("grants to a role of another prefix", [.. Valid, "TRUNCATE on table public.tasks to tcx_queue", "TRUNCATE on table public.tasks to other_tc_queue", "SELECT on table public.secrets to PUBLIC"]);
        yield return Grants("a column grant beside the whole-table grant", [.. Valid, "SELECT (state) on table public.tasks to tc_queue"]);
        yield return Roles("a plain service role", Role("tc_queue", ("superuser", "no"), ("create db", "no"), ("create role", "no"), ("login", "yes")));
        yield return Roles("a dangerous role of another prefix", Role("tcx_queue", ("superuser", "yes"), ("member of", "tc_group")));
    }

    [TestCaseSource(nameof(GrantDefects))]
    public void GrantDefectsAreCaught(CatalogSnapshot catalog, string[] expected) =>
        Assert.That(PostUpgradeChecks.GrantDrift(catalog, Access, Prefix).Select(f => f.Message), Is.EqualTo(expected));

    [TestCaseSource(nameof(GrantLookAlikes))]
    public void GrantLookAlikesPass(CatalogSnapshot catalog, string[] expected) =>
        Assert.That(PostUpgradeChecks.GrantDrift(catalog, Access, Prefix).Select(f => f.Message), Is.EqualTo(expected).And.Empty);

    [Test]
    public void GrantDriftHasTheKindOfEachDefect()
    {
        var catalog = new CatalogSnapshot([.. Objects(Valid.Where(g => !g.StartsWith("DELETE", StringComparison.Ordinal)).Append("TRUNCATE on table public.tasks to tc_queue")), Role("tc_queue", ("create db", "yes"), ("member of", "tc_group"))]);
        Assert.That(PostUpgradeChecks.GrantDrift(catalog, Access, Prefix).Select(f => f.Kind), Is.EqualTo(new[] { FindingKind.UnexpectedGrant, FindingKind.MissingGrant, FindingKind.RoleAttribute, FindingKind.RoleMembership }));
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Tables = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["tasks"] = new Dictionary<string, string> { ["task_id"] = "text not null", ["state"] = "task_state", ["tags"] = "task_state[] not null", ["runs"] = "integer" },
        ["a.b"] = new Dictionary<string, string> { ["c"] = "text" },
    };

    private static CatalogObject[] ValidTables() =>
    [
        Table("public.tasks"),
        Column("public.tasks.task_id", "text", notNull: true, 1),
        Column("public.tasks.state", "public.task_state", notNull: false, 2),
        Column("public.tasks.tags", "public.task_state[]", notNull: true, 3),
        Column("public.tasks.runs", "integer", notNull: false, 4),
        Table("public.a.b"),
        Column("public.a.b.c", "text", notNull: false, 1),
    ];

    public static IEnumerable<TestCaseData> ColumnDefects()
    {
        yield return Columns("a table tables.yml does not list", [.. ValidTables(), Table("public.stray")], "table stray is in the database but not in tables.yml");
        yield return Columns("a missing table", ValidTables().Where(o => !o.Name.StartsWith("public.a.b", StringComparison.Ordinal)), "table a.b is in tables.yml but not in the database");
        yield return Columns("an extra column", [.. ValidTables(), Column("public.tasks.extra", "jsonb", notNull: false)], "column tasks.extra (jsonb) is in the database but not in tables.yml");
        yield return Columns("a missing column", ValidTables().Where(o => o.Name != "public.tasks.runs"), "column tasks.runs (integer) is in tables.yml but not in the database");
        yield return Columns("another type", [.. ValidTables().Where(o => o.Name != "public.tasks.runs"), Column("public.tasks.runs", "bigint", notNull: false)], "column tasks.runs: tables.yml expects 'integer' but the database has 'bigint'");
        yield return Columns("a lost not null", [.. ValidTables().Where(o => o.Name != "public.tasks.task_id"), Column("public.tasks.task_id", "text", notNull: false)], "column tasks.task_id: tables.yml expects 'text not null' but the database has 'text'");
        yield return Columns("a type of another schema", [.. ValidTables().Where(o => o.Name != "public.tasks.state"), Column("public.tasks.state", "extra.task_state", notNull: false)], "column tasks.state: tables.yml expects 'task_state' but the database has 'extra.task_state'");
    }

    public static IEnumerable<TestCaseData> ColumnLookAlikes()
    {
        yield return Columns("the columns of tables.yml, public types unqualified", ValidTables());
        yield return Columns("tcversion", [.. ValidTables(), Table("public.tcversion"), Column("public.tcversion.version", "integer", notNull: false)]);
        yield return Columns("tables of other kinds and schemas", [.. ValidTables(), Table("public.remote", ("foreign", "yes")), Table("public.parted", ("partition key", "RANGE (at)")), Table("extra.tasks")]);
    }

    [TestCaseSource(nameof(ColumnDefects))]
    public void ColumnDefectsAreCaught(CatalogSnapshot catalog, string[] expected) =>
        Assert.That(PostUpgradeChecks.ColumnDrift(catalog, Tables).Select(f => f.Message), Is.EqualTo(expected));

    [TestCaseSource(nameof(ColumnLookAlikes))]
    public void ColumnLookAlikesPass(CatalogSnapshot catalog, string[] expected) =>
        Assert.That(PostUpgradeChecks.ColumnDrift(catalog, Tables).Select(f => f.Message), Is.EqualTo(expected).And.Empty);

    [Test]
    public void APartitionIsATableOfItsOwn()
    {
        var catalog = new CatalogSnapshot([.. ValidTables(), Table("public.tasks_2024", ("partition of", "public.tasks")), Column("public.tasks_2024.task_id", "text", notNull: true)]);
        Assert.That(PostUpgradeChecks.ColumnDrift(catalog, Tables).Select(f => f.Message), Is.EqualTo(new[] { "table tasks_2024 is in the database but not in tables.yml" }));
    }

    private static TestCaseData Grants(string name, IEnumerable<string> grants, params string[] expected) =>
        new TestCaseData(new CatalogSnapshot(Objects(grants)), expected).SetArgDisplayNames(name);

    private static TestCaseData Roles(string name, CatalogObject role, params string[] expected) =>
        new TestCaseData(new CatalogSnapshot([.. Objects(Valid), role]), expected).SetArgDisplayNames(name);

    private static TestCaseData Columns(string name, IEnumerable<CatalogObject> objects, params string[] expected) =>
        new TestCaseData(new CatalogSnapshot(objects), expected).SetArgDisplayNames(name);

    private static IEnumerable<CatalogObject> Objects(IEnumerable<string> grants) =>
        grants.Select(g => new CatalogObject(CatalogObjectKind.Grant, g, ObjectOrigin.Schema, new Dictionary<string, string> { ["grantable"] = "no" }))
            .Concat(ValidTables().Where(o => o.Name.StartsWith("public.tasks", StringComparison.Ordinal)));

    private static CatalogObject Role(string name, params (string Key, string Value)[] properties) =>
        new(CatalogObjectKind.Role, name, ObjectOrigin.Schema, properties.ToDictionary(p => p.Key, p => p.Value));

    private static CatalogObject Table(string name, params (string Key, string Value)[] properties) =>
        new(CatalogObjectKind.Table, name, ObjectOrigin.Schema, properties.Append((Key: "owner", Value: "postgres")).ToDictionary(p => p.Key, p => p.Value));

    private static CatalogObject Column(string name, string type, bool notNull, int position = 9) =>
        new(CatalogObjectKind.Column, name, ObjectOrigin.Schema, new Dictionary<string, string> { ["type"] = type, ["nullable"] = notNull ? "no" : "yes" }, position);
}
