using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The object service (v27): objects, their uploads and their expiry.</summary>
[TestFixture]
public sealed class ObjectTests : FunctionTest
{
    private const string Name = "taskId/0/public/" + Values.Tricky;

    private FunctionClient Objects => Client("object");

    [Test]
    public async Task An_object_is_downloadable_only_once_its_upload_is_complete()
    {
        var (uploadExpires, expires) = (Values.Now().AddHours(1), Values.Now().AddDays(30));
        await CreateAsync(Name, "upload-1", uploadExpires, expires);

        Assert.That(await Objects.CallAsync("get_object", Name), Is.Empty);
        var uploading = (await Objects.CallAsync("get_object_with_upload", Name)).Single();
        Assert.That(
            new[] { uploading["name"], uploading["project_id"], uploading["backend_id"], uploading["expires"], uploading["upload_id"], uploading["upload_expires"] },
            Is.EqualTo(new object[] { Name, "proj-" + Values.Tricky, "s3", expires, "upload-1", uploadExpires }));

        await Objects.CallAsync("object_upload_complete", Name, "upload-1");

        var row = (await Objects.CallAsync("get_object", Name)).Single();
        Assert.That((row["name"], row["expires"]), Is.EqualTo((Name, expires)));
        Assert.That(Values.SameJson(row["data"], Values.TrickyJson()), Is.True, (string)row["data"]!);
        var finished = (await Objects.CallAsync("get_object_with_upload", Name)).Single();
        Assert.That((finished["upload_id"], finished["upload_expires"]), Is.EqualTo(((object?)null, (object?)null)));
    }

    [Test]
    public async Task Retrying_the_same_upload_is_harmless_and_anything_else_is_a_duplicate()
    {
        var (uploadExpires, expires) = (Values.Now().AddHours(1), Values.Now().AddDays(30));
        await CreateAsync(Name, "upload-1", uploadExpires, expires);

        Assert.DoesNotThrowAsync(() => CreateAsync(Name, "upload-1", uploadExpires, expires));
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateAsync(Name, "upload-2", uploadExpires, expires));
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateAsync(Name, "upload-1", uploadExpires, expires.AddDays(1)));
        Assert.That(await ScalarAsync<long>("select count(*) from objects"), Is.EqualTo(1));
    }

    [Test]
    public async Task Completing_needs_the_right_upload_id_and_is_idempotent()
    {
        await CreateAsync(Name, "upload-1", Values.Now().AddHours(1), Values.Now().AddDays(1));

        await AssertSqlStateAsync("P0002", () => Objects.CallAsync("object_upload_complete", Name, "another-upload"));
        await AssertSqlStateAsync("P0002", () => Objects.CallAsync("object_upload_complete", "missing", "upload-1"));
        await Objects.CallAsync("object_upload_complete", Name, "upload-1");
        Assert.DoesNotThrowAsync(() => Objects.CallAsync("object_upload_complete", Name, "upload-1"));
    }

    [Test]
    public async Task Get_expired_objects_pages_over_expired_objects_only()
    {
        var expired = Enumerable.Range(0, 5).Select(i => $"{i:D2}/{Values.Tricky}").ToList();
        foreach (var name in expired)
        {
            await CreateAsync(name, "u", Values.Now().AddHours(1), Values.Now().AddMinutes(-1));
        }

        await CreateAsync("live", "u", Values.Now().AddHours(1), Values.Now().AddDays(1));

        var seen = await Objects.PaginateByIndexAsync("get_expired_objects", new Dictionary<string, object?>(), ["name"], pageSize: 2)
            .Select(r => (string)r["name"]!).ToListAsync();
        Assert.That(seen, Is.EqualTo(expired));

        foreach (var name in seen)
        {
            await Objects.CallAsync("delete_object", name);
        }

        Assert.DoesNotThrowAsync(() => Objects.CallAsync("delete_object", expired[0]));
        Assert.That(await ScalarAsync<long>("select count(*) from objects"), Is.EqualTo(1));
    }

    [Test]
    public async Task Other_services_cannot_create_objects_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("queue").CallAsync("delete_object", Name));
        await AssertSqlStateAsync("42501", () => Client("queue").CallAsync("get_object", Name));
    }

    private Task CreateAsync(string name, string uploadId, DateTime uploadExpires, DateTime expires) =>
        Objects.CallAsync("create_object_for_upload", name, "proj-" + Values.Tricky, "s3", uploadId, uploadExpires, Values.TrickyJson(), expires);
}
