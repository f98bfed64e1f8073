using NUnit.Framework;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Testing;

namespace Tcdb.Versions.Tests;

/// <summary>
/// The phase-2 versions 21-26 refuse to migrate an entity their columns cannot rebuild exactly (a property no
/// column holds, a value that would come back converted, properties contradicting the keys, a key that does not
/// split into its columns) instead of silently losing it: the upgrade fails with 22023 and rolls back. Each case
/// has a valid look-alike that migrates.
/// </summary>
[TestFixture]
public sealed class PhaseTwoGuardTests
{
    private static readonly object[] Refused =
    [
        new object[] { 23, "denylisted_notification_entities", "email", "a@example.com", """{"notificationType": "email", "notificationAddress": "a@example.com", "note": "dropped"}""" },
        new object[] { 23, "denylisted_notification_entities", "email", "a@example.com", """{"notificationType": "pulse", "notificationAddress": "a@example.com"}""" },
        new object[] { 22, "namespaces_entities", "gecko", "v2", """{"parent": "gecko", "name": "v2", "expires": "2031-01-01T00:00:00Z"}""" },
        new object[] { 25, "cache_purges_entities", "proj-releng/b-linux", "c", """{"provisionerId": "proj-releng", "workerType": "b-linux", "cacheName": "c", "before": "2030-01-01T00:00:00.000Z", "expires": "2031-01-01T00:00:00.000Z"}""" },
        new object[] { 26, "github_access_token_table_entities", "1234", "github-token", """{"userId": "1234", "accessToken": {"v": 1}}""" },
        new object[] { 21, "last_fire_3_entities", "project-releng/nightly", "taskA", """{"hookGroupId": "project-releng", "hookId": "nightly", "firedBy": "schedule", "taskId": "taskA", "taskCreateTime": "2030-01-01T00:00:00.000Z", "result": "success", "error": ""}""" },
        new object[] { 24, "taskcluster_integration_owners_entities", "mozilla", "owner", """{"owner": "mozilla", "installationId": "1234"}""" },
    ];

    private static readonly object[] Migrated =
    [
        new object[] { 23, "denylisted_notification_entities", "email", "a@example.com", """{"notificationType": "email", "notificationAddress": "a@example.com"}""" },
        new object[] { 22, "namespaces_entities", "gecko", "v2", """{"parent": "gecko", "name": "v2", "expires": "2031-01-01T00:00:00.000Z"}""" },
        new object[] { 25, "cache_purges_entities", "proj-releng~b-linux", "c", """{"provisionerId": "proj-releng", "workerType": "b-linux", "cacheName": "c", "before": "2030-01-01T00:00:00.000Z", "expires": "2031-01-01T00:00:00.000Z"}""" },
        new object[] { 26, "github_access_token_table_entities", "1234", "github-access-token", """{"userId": "1234", "accessToken": {"v": 1}}""" },
        new object[] { 21, "last_fire_3_entities", "project-releng~nightly", "taskA", """{"hookGroupId": "project-releng", "hookId": "nightly", "firedBy": "schedule", "taskId": "taskA", "taskCreateTime": "2030-01-01T00:00:00.000Z", "result": "success", "error": ""}""" },
        new object[] { 24, "taskcluster_integration_owners_entities", "mozilla", "owner", """{"owner": "mozilla", "installationId": 1234}""" },
    ];

    [TestCaseSource(nameof(Refused))]
    public async Task An_entity_the_columns_cannot_rebuild_stops_the_upgrade(int version, string table, string partitionKey, string rowKey, string properties)
    {
        var (templates, database) = await DatabaseWithEntityAsync(version - 1, table, partitionKey, rowKey, properties);
        await using (database)
        {
            await using var migrator = new Migrator(templates.Schema, database.ConnectionString, templates.MigratorOptions());

            var error = Assert.ThrowsAsync<MigrationException>(() => migrator.UpgradeAsync(version));

            Assert.That((error!.Version, error.SqlState), Is.EqualTo(((int?)version, (string?)"22023")), error.Message);
            Assert.That(error.Message, Does.Contain(table));
            Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(version - 1), "the failed version rolled back");
        }
    }

    [TestCaseSource(nameof(Migrated))]
    public async Task Its_valid_look_alike_migrates(int version, string table, string partitionKey, string rowKey, string properties)
    {
        var (templates, database) = await DatabaseWithEntityAsync(version - 1, table, partitionKey, rowKey, properties);
        await using (database)
        {
            await using var migrator = new Migrator(templates.Schema, database.ConnectionString, templates.MigratorOptions());

            await migrator.UpgradeAsync(version);

            Assert.That(await migrator.CurrentVersionAsync(), Is.EqualTo(version));
        }
    }

    private static async Task<(VersionTemplates, Tcdb.Servers.ServerDatabase)> DatabaseWithEntityAsync(int version, string table, string partitionKey, string rowKey, string properties)
    {
        var templates = VersionTemplates.For(await TestServer.GetAsync(), DbDirectories.Load(DbDirectories.Find()));
        var database = await templates.CloneAtAsync(version);
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand($"insert into {table} (partition_key, row_key, value, version) values ($1, $2, $3::jsonb, 1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = partitionKey });
        command.Parameters.Add(new NpgsqlParameter { Value = rowKey });
        command.Parameters.Add(new NpgsqlParameter { Value = properties });
        await command.ExecuteNonQueryAsync();
        return (templates, database);
    }
}
