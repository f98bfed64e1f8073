using Tcdb.Servers;
using Tcdb.Testing;
using static Tcdb.Harness.Tests.Servers.ServerTestSupport;

namespace Tcdb.Harness.Tests.Servers;

[TestFixture]
public sealed class DatabaseTests
{
    [Test]
    public async Task CloneFromTemplateCopiesDataAndIsIndependent()
    {
        var server = await TestServer.GetAsync();
        await using var template = await server.CreateDatabaseAsync();
        await ExecuteAsync(template.ConnectionString, "create table widgets (name text primary key); insert into widgets values ('back\\slash'), ('$$')");

        await using var clone = await template.CloneAsync();
        await ExecuteAsync(clone.ConnectionString, "insert into widgets values ('only in clone')");

        Assert.That(clone.Name, Is.Not.EqualTo(template.Name));
        Assert.That(await ScalarAsync<string>(clone.ConnectionString, "select string_agg(name, '|' order by name) from widgets"), Is.EqualTo("$$|back\\slash|only in clone"));
        Assert.That(await ScalarAsync<long>(template.ConnectionString, "select count(*) from widgets"), Is.EqualTo(2));
    }

    [Test]
    public async Task DisposingADatabaseDropsItEvenWithOpenConnections()
    {
        var server = await TestServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        await using var open = await database.OpenAsync();
        await database.DisposeAsync();
        var exists = await ScalarAsync<bool>(server.AdminConnectionString, $"select exists (select from pg_database where datname = '{database.Name}')");
        Assert.That(exists, Is.False);
    }

    [Test]
    public async Task ExternalServerByUrlCreatesAndDropsItsOwnDatabases()
    {
        await using var stand_in = await ThrowawayCluster.StartAsync(PostgresServers.MajorFromEnvironment());
        var url = ConnectionStrings.ToUrl(stand_in.AdminConnectionString);
        Assert.That(url, Does.StartWith("postgresql://postgres@127.0.0.1:"));

        var previous = Environment.GetEnvironmentVariable(PostgresServers.TestDbUrlVariable);
        Environment.SetEnvironmentVariable(PostgresServers.TestDbUrlVariable, url);
        try
        {
            await using var external = await PostgresServers.FromEnvironmentAsync();
            Assert.That(external, Is.InstanceOf<ExternalServer>());
            Assert.That(external.MajorVersion, Is.EqualTo(stand_in.MajorVersion));

            string name;
            await using (var database = await external.CreateDatabaseAsync())
            {
                name = database.Name;
                Assert.That(await ScalarAsync<string>(database.ConnectionString, "select current_database()"), Is.EqualTo(name));
            }

            Assert.That(await ScalarAsync<long>(stand_in.AdminConnectionString, $"select count(*) from pg_database where datname = '{name}'"), Is.Zero);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PostgresServers.TestDbUrlVariable, previous);
        }
    }

    [Test]
    public void UnreachableExternalServerIsAClearError()
    {
        var error = Assert.ThrowsAsync<ServerUnavailableException>(
            async () => await ExternalServer.ConnectAsync("postgresql://someone:secret@127.0.0.1:1/db"))!;
        Assert.That(error.Message, Does.StartWith("cannot connect to PostgreSQL at "));
        Assert.That(error.Message, Does.Not.Contain("secret"));
    }
}
