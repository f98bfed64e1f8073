using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// Template databases at every version of one db directory on one server, made by a single upward pass
/// (a builder database upgraded one version at a time and cloned), so a test that needs a database at
/// version N-1 gets a clone in milliseconds instead of an upgrade from 0. Shared by every test of a run.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "one instance per server and db directory lives as long as the test run; its semaphore holds no unmanaged resource")]
public sealed class VersionTemplates
{
    private static readonly Dictionary<(IPostgresServer, DbSchema), VersionTemplates> Instances = [];
    private static readonly Lock InstancesGate = new();

    private readonly IPostgresServer server;
    private readonly DbSchema schema;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<int, TestDatabase> templates = [];
    private Exception? latestFailure;
    private TestDatabase? builder;
    private int builderVersion;

    private VersionTemplates(IPostgresServer server, DbSchema schema, string usersPrefix)
    {
        this.server = server;
        this.schema = schema;
        UsersPrefix = usersPrefix;
    }

    /// <summary>Service-role prefix of every database made from these templates.</summary>
    public string UsersPrefix { get; }

    public DbSchema Schema => schema;

    public static VersionTemplates For(IPostgresServer server, DbSchema schema)
    {
        lock (InstancesGate)
        {
            if (!Instances.TryGetValue((server, schema), out var templates))
            {
                var prefix = "tvt_" + new string(Enumerable.Range(0, 8).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());
                Instances[(server, schema)] = templates = new VersionTemplates(server, schema, prefix);
                TestServer.RegisterCleanup(templates.DropAllAsync);
            }

            return templates;
        }
    }

    /// <summary>A fresh database at <paramref name="version"/> (0: empty, with pgcrypto); dispose it when done.</summary>
    public async Task<TestDatabase> CloneAtAsync(int version, CancellationToken cancellationToken = default)
    {
        TestDatabase template;
        await gate.WaitAsync(cancellationToken);
        try
        {
            template = await TemplateAsync(version, cancellationToken);
        }
        finally
        {
            gate.Release();
        }

        return await template.CloneAsync(cancellationToken);
    }

    /// <summary>
    /// A fresh database at the latest version. The first call also checks that the upgrade left grants equal to
    /// access.yml and columns equal to tables.yml; drift fails this and every later call with the same message.
    /// </summary>
    public Task<TestDatabase> CloneAtLatestAsync(CancellationToken cancellationToken = default) => CloneAtAsync(schema.LatestVersion, cancellationToken);

    /// <summary>Connection string of <paramref name="database"/> logged in as the role of <paramref name="service"/>.</summary>
    public string ServiceConnectionString(TestDatabase database, string service) =>
        ServiceLogins.ConnectionString(schema, UsersPrefix, database.ConnectionString, service);

    /// <summary>Migrator options for databases of these templates (see <see cref="ServiceLogins.MigratorOptions"/>).</summary>
    public MigratorOptions MigratorOptions(OnlineMigrationHooks? hooks = null) => ServiceLogins.MigratorOptions(UsersPrefix, hooks);

    private async Task<TestDatabase> TemplateAsync(int version, CancellationToken cancellationToken)
    {
        if (templates.TryGetValue(version, out var existing))
        {
            return existing;
        }

        if (version == schema.LatestVersion && latestFailure is not null)
        {
            throw latestFailure;
        }

        if (builder is null || builderVersion > version)
        {
            builder = await server.CreateDatabaseAsync(cancellationToken: cancellationToken);
            builderVersion = 0;
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("create extension if not exists pgcrypto", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (version > builderVersion)
        {
            await using var migrator = new Migrator(schema, builder.ConnectionString, MigratorOptions());
            var result = await migrator.UpgradeAsync(version, cancellationToken);
            builderVersion = version;
            if (result.Findings.Count > 0)
            {
                latestFailure = new InvalidOperationException(
                    $"the upgrade of {schema.Directory} to version {result.ToVersion} left drift tests cannot trust:" +
                    string.Concat(result.Findings.Select(f => Environment.NewLine + "  " + f.Message)));
                throw latestFailure;
            }
        }

        var template = await builder.CloneAsync(cancellationToken);
        templates[version] = template;
        return template;
    }

    private async Task DropAllAsync()
    {
        foreach (var template in templates.Values.Append(builder).OfType<TestDatabase>())
        {
            await template.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        var roles = new List<string>();
        await using (var list = new NpgsqlCommand("select rolname from pg_roles where starts_with(rolname, $1)", connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = UsersPrefix + "_" });
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                roles.Add(reader.GetString(0));
            }
        }

        foreach (var role in roles)
        {
            await using var drop = new NpgsqlCommand("drop role if exists " + SqlText.QuoteIdentifier(role), connection);
            try
            {
                await drop.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
            {
                // A database a test leaked still holds grants; the role stays and says why.
                await NUnit.Framework.TestContext.Progress.WriteLineAsync($"tcdb: role {role} not dropped: {e.MessageText}");
            }
        }
    }
}
