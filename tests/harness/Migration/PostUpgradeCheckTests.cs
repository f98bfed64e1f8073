using static Tcdb.Harness.Tests.Migration.TestSchemas;

namespace Tcdb.Harness.Tests.Migration;

[TestFixture]
public sealed class PostUpgradeCheckTests
{
    [Test]
    public async Task ExtraTableGrantIsReported()
    {
        await using var db = await UpgradedAsync();
        await db.ExecuteAsync($"grant insert, truncate on widgets to {db.Prefix}_svc_b");
        Assert.That(await FindingsAsync(db), Is.EqualTo(new[]
        {
            $"unexpected database user grant: {db.Prefix}_svc_b: INSERT on widgets",
            $"unexpected database user grant: {db.Prefix}_svc_b: TRUNCATE on widgets",
        }));
    }

    [Test]
    public async Task MissingGrantIsReported()
    {
        await using var db = await UpgradedAsync();
        await db.ExecuteAsync($"revoke delete on widgets from {db.Prefix}_svc_a");
        Assert.That(await FindingsAsync(db), Is.EqualTo(new[] { $"missing database user grant: {db.Prefix}_svc_a: DELETE on widgets" }));
    }

    [Test]
    public async Task ColumnLevelGrantsAreReported()
    {
        await using var db = await UpgradedAsync();
        await db.ExecuteAsync($"create table bar (foo integer, bar_id integer); grant select (bar_id) on bar to {db.Prefix}_svc_b");
        await db.ExecuteAsync($"revoke select on widgets from {db.Prefix}_svc_b; grant select (name, data) on widgets to {db.Prefix}_svc_b");

        await using var migrator = db.Migrator(WidgetChain());
        var findings = await migrator.PostUpgradeChecksAsync();
        Assert.That(findings.Select(f => f.Message), Is.EqualTo(new[]
        {
            $"unexpected database user grant: {db.Prefix}_svc_b: SELECT on bar (columns bar_id)",
            $"column-only database user grant: {db.Prefix}_svc_b: SELECT on widgets is granted on columns (name, data) instead of the whole table",
            "table bar is in the database but not in tables.yml",
        }));
    }

    [Test]
    public async Task RoleAttributesAndMembershipsAreReported()
    {
        await using var db = await UpgradedAsync();
        await db.ExecuteAsync($"alter role {db.Prefix}_svc_a createdb createrole; create role {db.Prefix}_group; grant {db.Prefix}_group to {db.Prefix}_svc_b");
        Assert.That(await FindingsAsync(db), Is.EqualTo(new[]
        {
            $"{db.Prefix}_svc_a has attribute CREATEROLE",
            $"{db.Prefix}_svc_a has attribute CREATEDB",
            $"{db.Prefix}_svc_b has unexpected role {db.Prefix}_group",
        }));
    }

    [Test]
    public async Task UnderscoresOfThePrefixAreNotWildcards()
    {
        await using var db = await UpgradedAsync();
        // Same length as the prefix, with its underscore replaced: a LIKE wildcard would match it.
        var lookalike = db.Prefix.Replace('_', 'x') + "_svc_c";
        await db.ExecuteAsync($"create role {lookalike} createdb");
        try
        {
            Assert.That(await FindingsAsync(db), Is.Empty);
        }
        finally
        {
            await db.ExecuteAsync($"drop role {lookalike}");
        }
    }

    [Test]
    public async Task TablesDriftIsReported()
    {
        await using var db = await UpgradedAsync();
        await db.ExecuteAsync("alter table widgets add column extra text; alter table widgets alter column size type bigint; alter table widgets drop column upper_name; create table stray (id integer not null)");

        Assert.That(await FindingsAsync(db), Is.EqualTo(new[]
        {
            "table stray is in the database but not in tables.yml",
            "column widgets.extra (text) is in the database but not in tables.yml",
            "column widgets.size: tables.yml expects 'integer' but the database has 'bigint'",
            "column widgets.upper_name (text) is in tables.yml but not in the database",
        }));
    }

    [Test]
    public async Task EnumTypesPrintUnqualifiedAndMissingTablesAreReported()
    {
        await using var db = await UpgradedAsync();
        await db.ExecuteAsync("create type widget_kind as enum ('a', 'b'); alter table widgets add column kind widget_kind not null default 'a'");
        var tables = WidgetTables().ToDictionary(t => t.Key, t => t.Value);
        tables["widgets"] = tables["widgets"].Append(new KeyValuePair<string, string>("kind", "widget_kind not null")).ToDictionary();
        tables["gone"] = new Dictionary<string, string> { ["id"] = "integer" };
        await using var migrator = db.Migrator(NewSchema(WidgetVersions(), WidgetAccess(), tables));

        var result = await migrator.UpgradeAsync();
        Assert.That(result.Findings.Select(f => f.Message), Is.EqualTo(new[] { "table gone is in tables.yml but not in the database" }));
    }

    private static async Task<MigrationTestDatabase> UpgradedAsync()
    {
        var db = await MigrationTestDatabase.CreateAsync();
        await using var migrator = db.Migrator(WidgetChain());
        var result = await migrator.UpgradeAsync();
        Assert.That(result.Findings, Is.Empty);
        return db;
    }

    private static async Task<IEnumerable<string>> FindingsAsync(MigrationTestDatabase db)
    {
        await using var migrator = db.Migrator(WidgetChain());
        var result = await migrator.UpgradeAsync();
        Assert.That(result.Checked, Is.True);
        return result.Findings.Select(f => f.Message);
    }
}
