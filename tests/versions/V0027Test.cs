using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 27: the object service's <c>objects</c> table, relational from the start (no entities phase). Checks
/// the table and its methods appear for the object role only at version 27, and that a realistic upload (an S3
/// backend's data, a name with slashes, backslashes and unicode) goes from upload to download to expiry.
/// </summary>
public sealed class V0027Test : VersionTest
{
    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("objects"), Is.False, "no objects table at version 26");
        Assert.That(await db.FunctionExistsAsync("create_object_for_upload"), Is.False, "no object methods at version 26");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.ValueAsync<bool>("select has_table_privilege($1, 'public.objects', 'select, insert, update, delete')", db.RolePrefix.RoleFor("object")), Is.True, "object may use objects");
        Assert.That(await db.ValueAsync<bool>("select has_table_privilege($1, 'public.objects', 'select')", db.RolePrefix.RoleFor("queue")), Is.False, "queue may not read objects");

        var f = Realistic.Faker(27);
        var now = Times.Now();
        var name = $"{Slugid.Next(f)}/0/public/logs/{Realistic.Hostile(f)}";
        var data = Json.Text(new JsonObject { ["bucket"] = "tc-objects-us-west-2", ["key"] = name, ["s3"] = new JsonObject { ["region"] = "us-west-2" } });
        var uploadId = Slugid.Next(f).Slug;
        await using var objects = await db.ClientAsync("object");

        await objects.CallAsync("create_object_for_upload", name, "releng", "s3-us-west-2", uploadId, now.AddHours(1), data, now.AddDays(-1));
        Assert.That(await objects.CallAsync("get_object", name), Is.Empty, "not downloadable while uploading");
        var uploading = (await objects.CallAsync("get_object_with_upload", name)).Single();
        Assert.That((uploading["upload_id"], uploading["upload_expires"], uploading["backend_id"]), Is.EqualTo((uploadId, now.AddHours(1), "s3-us-west-2")));

        await objects.CallAsync("object_upload_complete", name, uploadId);
        var done = (await objects.CallAsync("get_object", name)).Single();
        Assert.That((done["name"], done["project_id"], done["expires"]), Is.EqualTo((name, "releng", now.AddDays(-1))));
        Json.AssertSame(done["data"], data, "object data");
        Assert.That((await objects.CallAsync("get_expired_objects", 10, null)).Select(r => r["name"]), Is.EqualTo(new[] { name }), "the expired object is listed for deletion");

        await objects.CallAsync("delete_object", name);
        Assert.That(await db.ValueAsync<long>("select count(*) from objects"), Is.EqualTo(0), "the test leaves no object behind");
    }
}
