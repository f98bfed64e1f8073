using System.Security.Cryptography;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>A db directory loaded once and upgraded once, in a template database every test clones.</summary>
/// <param name="Schema">The loaded db directory.</param>
/// <param name="Template">The database at the latest version; nobody stays connected to it.</param>
internal sealed record FunctionTestTemplate(DbSchema Schema, TestDatabase Template);

/// <summary>
/// The run-wide cache behind <see cref="FunctionTest"/>: one schema per db directory, one upgraded template
/// database per (server, directory), and the one users prefix of this process. Service roles are
/// cluster-wide, so every template of the run shares the prefix and <see cref="CleanUpAsync"/> drops the
/// roles once the databases holding their grants are gone.
/// </summary>
internal static class FunctionTestTemplates
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    // A failed build is cached too, so every test of the directory reports the same error at once.
    private static readonly Dictionary<(IPostgresServer Server, string Directory), Task<FunctionTestTemplate>> Templates = [];
    private static readonly Dictionary<IPostgresServer, HashSet<string>> Roles = [];

    /// <summary>
    /// The users prefix of this process: <c>fn_</c> and eight random lowercase letters (prefixes may not hold digits),
    /// so concurrent runs on one server never share roles.
    /// </summary>
    public static string UsersPrefix { get; } =
        "fn_" + new string(Enumerable.Range(0, 8).Select(_ => (char)('a' + RandomNumberGenerator.GetInt32(26))).ToArray());

    /// <summary>The template of <paramref name="directory"/> on <paramref name="server"/>, loading and upgrading it on first use.</summary>
    /// <exception cref="SchemaLoadException">the directory does not load.</exception>
    /// <exception cref="MigrationException">the upgrade to the latest version failed.</exception>
    /// <exception cref="InvalidOperationException">the post-upgrade checks found grant or column drift.</exception>
    public static async Task<FunctionTestTemplate> GetAsync(IPostgresServer server, string directory, CancellationToken cancellationToken)
    {
        var key = (server, Path.GetFullPath(directory));
        Task<FunctionTestTemplate> template;
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!Templates.TryGetValue(key, out template!))
            {
                template = BuildAsync(server, key.Item2);
                Templates[key] = template;
            }

            // Built under the gate: two fixtures of one directory never upgrade it twice.
            await ((Task)template).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            Gate.Release();
        }

        return await template;
    }

    /// <summary>Drops every template database of the run, then the service roles of this process's prefix.</summary>
    public static async Task CleanUpAsync()
    {
        await Gate.WaitAsync();
        try
        {
            foreach (var template in Templates.Values.Where(t => t.IsCompletedSuccessfully))
            {
                await template.Result.Template.DisposeAsync();
            }

            Templates.Clear();
            foreach (var (server, roles) in Roles)
            {
                await using var connection = new NpgsqlConnection(server.AdminConnectionString);
                await connection.OpenAsync();
                foreach (var role in roles)
                {
                    await using var drop = new NpgsqlCommand("drop role if exists " + SqlText.QuoteIdentifier(role), connection);
                    try
                    {
                        await drop.ExecuteNonQueryAsync();
                    }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
                    {
                        // A clone a test leaked still holds grants; the role stays and says why.
                        await NUnit.Framework.TestContext.Progress.WriteLineAsync($"FunctionTest: role {role} not dropped: {e.MessageText}");
                    }
                }
            }

            Roles.Clear();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<FunctionTestTemplate> BuildAsync(IPostgresServer server, string directory)
    {
        var schema = SchemaLoader.Load(directory);
        if (!Roles.TryGetValue(server, out var roles))
        {
            Roles[server] = roles = new HashSet<string>(StringComparer.Ordinal);
        }

        roles.UnionWith(schema.Access.Select(s => s.RoleName(UsersPrefix)));
        var template = await server.CreateDatabaseAsync();
        try
        {
            await using (var migrator = new Migrator(schema, template.ConnectionString, new MigratorOptions { UsersPrefix = UsersPrefix }))
            {
                var result = await migrator.UpgradeAsync();
                if (result.Findings.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"the upgrade of {directory} to version {result.ToVersion} left drift the function tests cannot trust:" +
                        string.Concat(result.Findings.Select(f => Environment.NewLine + "  " + f.Message)));
                }
            }

            // Cloning needs a template nobody is connected to.
            NpgsqlConnection.ClearPool(new NpgsqlConnection(template.ConnectionString));
            return new FunctionTestTemplate(schema, template);
        }
        catch
        {
            await template.DisposeAsync();
            throw;
        }
    }
}
