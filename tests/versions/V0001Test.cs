using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;

namespace Tcdb.Versions.Tests;

/// <summary>Version 1: the widgets table and create_widget for the notify service.</summary>
public sealed class V0001Test : VersionTest
{
    protected override async Task AssertBeforeUpgradeAsync(VersionContext db) =>
        Assert.That(await db.ScalarAsync<long>("select count(*) from pg_tables where schemaname = 'public' and tablename = 'widgets'"), Is.Zero);

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        var notify = await db.ClientAsync("notify");
        await notify.CallAsync("create_widget", "back\\slash $$ ☃");
        await notify.CallAsync("create_widget", "back\\slash $$ ☃");
        Assert.That(await db.ScalarAsync<string>("select string_agg(name, ',') from widgets"), Is.EqualTo("back\\slash $$ ☃"));
        await db.ExecuteAsync("delete from widgets");
    }
}
