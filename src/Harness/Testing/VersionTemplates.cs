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
public sealed class VersionTemplates
{
    private static readonly Dictionary<(IPostgresServer, DbSchema), VersionTemplates> Instances = [];
    private static readonly Lock InstancesGate = new();

    private readonly IPostgresServer server;
    private readonly DbSchema schema;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<int, TestDatabase> templates = [];
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

    /// <summary>Migrator options for databases of these templates (any major; passwords unmanaged).</summary>
    public MigratorOptions MigratorOptions(OnlineMigrationHooks? hooks = null) => new()
    {
        UsersPrefix = UsersPrefix,
        ServicePasswords = ServicePasswords.Unmanaged,
        AcceptedMajorVersions = ServerVersionGate.Any,
        OnlineHooks = hooks,
    };

    private async Task<TestDatabase> TemplateAsync(int version, CancellationToken cancellationToken)
    {
        if (templates.TryGetValue(version, out var existing))
        {
            return existing;
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
            await migrator.UpgradeAsync(version, cancellationToken);
            builderVersion = version;
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
        await using var roles = new NpgsqlCommand(
            "do $tcdb$ declare r text; begin for r in select rolname from pg_roles where starts_with(rolname, '" + UsersPrefix + "_') loop " +
            "execute format('drop role %I', r); end loop; end $tcdb$",
            connection);
        await roles.ExecuteNonQueryAsync();
    }
}
