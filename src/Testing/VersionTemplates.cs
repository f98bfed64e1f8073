using NUnit.Framework;
using Tcdb.Migration;
using Tcdb.Runs;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// The template databases of one db directory on one server for a whole test run: a <see cref="TemplateChain"/>
/// of plain upgrades in a <see cref="RunScope"/> of its own, so a test that needs a database at version N-1 gets
/// a clone in milliseconds instead of an upgrade from 0. The scope (templates, clones, service roles) is dropped
/// when the run's server stops.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "one instance per server and db directory lives as long as the test run; its semaphore holds no unmanaged resource")]
public sealed class VersionTemplates
{
    private static readonly Dictionary<(IPostgresServer, DbSchema), VersionTemplates> Instances = [];
    private static readonly Lock InstancesGate = new();

    private readonly TemplateChain chain;

    private VersionTemplates(IPostgresServer server, DbSchema schema)
    {
        Schema = schema;
        Scope = new RunScope(server, RolePrefix.Random("tvt"), line => TestContext.Progress.WriteLine(line));
        chain = new TemplateChain(Scope, UpgradeAsync);
    }

    /// <summary>The role prefix of every database made from these templates.</summary>
    public RolePrefix RolePrefix => Scope.RolePrefix;

    public DbSchema Schema { get; }

    /// <summary>The run scope every template and clone belongs to.</summary>
    internal RunScope Scope { get; }

    public static VersionTemplates For(IPostgresServer server, DbSchema schema)
    {
        lock (InstancesGate)
        {
            if (!Instances.TryGetValue((server, schema), out var templates))
            {
                Instances[(server, schema)] = templates = new VersionTemplates(server, schema);
                TestServer.RegisterCleanup(async () => await templates.Scope.DisposeAsync());
            }

            return templates;
        }
    }

    /// <summary>A fresh database at <paramref name="version"/> (0: empty, with the required extensions); dispose it when done.</summary>
    public async Task<ServerDatabase> CloneAtAsync(int version, CancellationToken cancellationToken = default) =>
        await chain.CloneAsync(version, cancellationToken) ?? throw new InvalidOperationException($"version {version} of {Schema.Directory} cannot be reached");

    /// <summary>
    /// A fresh database at the latest version. The first call also checks that the upgrade left grants equal to
    /// access.yml and columns equal to tables.yml; drift fails this and every later call with the same message.
    /// </summary>
    public Task<ServerDatabase> CloneAtLatestAsync(CancellationToken cancellationToken = default) => CloneAtAsync(Schema.LatestVersion, cancellationToken);

    /// <summary>Connection string of <paramref name="database"/> logged in as the service role of <paramref name="service"/>.</summary>
    public string ServiceConnectionString(ServerDatabase database, string service) => Scope.ServiceConnectionString(database, service);

    /// <summary>Migrator options for databases of these templates (see <see cref="MigratorOptions.ForRun"/>).</summary>
    public MigratorOptions MigratorOptions(OnlineMigrationHooks? hooks = null) => Scope.MigratorOptions(hooks);

    private async Task<bool> UpgradeAsync(ServerDatabase database, int from, int to, CancellationToken cancellationToken)
    {
        await using var migrator = new Migrator(Schema, database.ConnectionString, MigratorOptions());
        var result = await migrator.UpgradeAsync(to, cancellationToken);
        if (result.Findings.Count > 0)
        {
            throw new InvalidOperationException(
                $"the upgrade of {Schema.Directory} to version {result.ToVersion} left drift tests cannot trust:" +
                string.Concat(result.Findings.Select(f => Environment.NewLine + "  " + f.Message)));
        }

        return true;
    }
}
