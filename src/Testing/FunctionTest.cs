using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// NUnit base class for tests of a db directory's stored functions. Every test gets an empty database at the
/// latest version and function clients that log in as the service roles, so the grants of access.yml are really
/// exercised. By default the database is a fresh clone of a template upgraded once per run and directory; with
/// <c>TCDB_ISOLATION=respawn</c> (servers where databases may not be created) every test shares one database
/// that Respawn empties before each test, one test at a time (see <see cref="RespawnedDatabase"/>).
/// </summary>
/// <remarks>
/// The db directory is the first <c>db</c> folder holding <c>versions</c> found walking up from the test's
/// bin folder (override <see cref="DbDirectory"/> to choose another). The template comes from
/// <see cref="VersionTemplates"/>, shared with <see cref="VersionTest"/>; it and the service roles are dropped
/// when the run's server stops (<see cref="TestServer.ShutdownAsync"/>). Clones are made ahead of the tests that
/// take them and dropped in the background after them, so a test waits for neither. Every test has its own
/// database and clients, so tests may run side by side: mark the assembly
/// <c>[assembly: Parallelizable(ParallelScope.Children)]</c> and
/// <c>[assembly: FixtureLifeCycle(LifeCycle.InstancePerTestCase)]</c> (an instance per test, as this class keeps
/// the test's database in fields).
/// </remarks>
public abstract class FunctionTest
{
    /// <summary>Environment variable choosing the isolation of every FunctionTest: <c>clone</c> (default) or <c>respawn</c>.</summary>
    public const string IsolationVariable = "TCDB_ISOLATION";

    private readonly Dictionary<string, FunctionClient> clients = new(StringComparer.Ordinal);
    private DbSchema? schema;
    private RolePrefix? rolePrefix;
    private ServerDatabase? database;
    private RespawnedDatabase? shared;
    private PreparedClones? clones;

    /// <summary>The role prefix of this run's databases: <c>RolePrefix.RoleFor("queue")</c> is the service role of queue.</summary>
    protected RolePrefix RolePrefix => rolePrefix ?? throw NotSetUp();

    /// <summary>The db directory under test.</summary>
    protected virtual string DbDirectory => DbDirectories.Find(TestContext.CurrentContext.TestDirectory);

    /// <summary>How tests are kept apart (default: <c>$TCDB_ISOLATION</c>, else clones).</summary>
    protected virtual FunctionTestIsolation Isolation => IsolationFromEnvironment();

    /// <summary>The loaded db directory.</summary>
    protected DbSchema Schema => schema ?? throw NotSetUp();

    /// <summary>This test's database (at the latest version, empty): a clone dropped after the test, or the shared respawned one.</summary>
    protected ServerDatabase Database => database ?? throw NotSetUp();

    /// <summary>The isolation <c>TCDB_ISOLATION</c> names.</summary>
    /// <exception cref="ServerUnavailableException">it names none.</exception>
    public static FunctionTestIsolation IsolationFromEnvironment() => ParseIsolation(Environment.GetEnvironmentVariable(IsolationVariable));

    /// <summary>The isolation a value of <c>TCDB_ISOLATION</c> names (unset or empty: clones).</summary>
    /// <exception cref="ServerUnavailableException">it names none.</exception>
    public static FunctionTestIsolation ParseIsolation(string? value) =>
        value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "clone" => FunctionTestIsolation.Clone,
            "respawn" => FunctionTestIsolation.Respawn,
            var other => throw new ServerUnavailableException($"{IsolationVariable}='{other}': use clone (a fresh database per test, the default) or respawn (one database, emptied before each test)"),
        };

    [SetUp]
    public async Task CreateFunctionTestDatabaseAsync()
    {
        var server = await ServerAsync();
        schema = DbDirectories.Load(DbDirectory);
        if (Isolation == FunctionTestIsolation.Respawn)
        {
            var respawned = await RespawnedDatabase.ForAsync(server, schema);
            await respawned.AcquireAsync();
            shared = respawned;
            rolePrefix = respawned.RolePrefix;
            database = respawned.Database;
        }
        else
        {
            var templates = VersionTemplates.For(server, schema);
            rolePrefix = templates.RolePrefix;
            clones = PreparedClones.For(templates, PreparedClones.AheadFor(GetType().Assembly));
            database = await clones.TakeAsync();
        }
    }

    [TearDown]
    public async Task DropFunctionTestDatabaseAsync()
    {
        foreach (var client in clients.Values)
        {
            await client.DisposeAsync();
        }

        clients.Clear();
        if (shared is not null)
        {
            shared.Release();
            shared = null;
        }
        else if (database is not null && clones is not null)
        {
            await clones.ReturnAsync(database);
        }

        database = null;
    }

    /// <summary>The server the tests run on (default: the run's <see cref="TestServer"/>).</summary>
    protected virtual Task<IPostgresServer> ServerAsync() => TestServer.GetAsync();

    /// <summary>
    /// The function client of <paramref name="service"/> (as written in access.yml), logged in as the service's
    /// role on this test's database (read and write connections both). Created on first use in a test.
    /// </summary>
    /// <exception cref="ArgumentException">access.yml has no such service.</exception>
    protected FunctionClient Client(string service)
    {
        if (!clients.TryGetValue(service, out var client))
        {
            var access = Schema.Access.FirstOrDefault(a => a.Name == service)
                ?? throw new ArgumentException($"access.yml has no service {service}; services: {string.Join(", ", Schema.Access.Select(a => a.Name))}", nameof(service));
            client = CreateClient(access.Name.Replace('-', '_'), ServicePassword.ConnectionString(Database.ConnectionString, RolePrefix, access.Name));
            clients[service] = client;
        }

        return client;
    }

    /// <summary>
    /// A function client acting for <paramref name="service"/> but connected as the superuser: the client's
    /// read/write and cross-service rules apply, the grants do not. For setting up data a service cannot write.
    /// </summary>
    protected FunctionClient AdminClient(string service)
    {
        var key = "\u0000admin:" + service;
        if (!clients.TryGetValue(key, out var client))
        {
            client = CreateClient(service, Database.ConnectionString);
            clients[key] = client;
        }

        return client;
    }

    /// <summary>Runs a statement on an admin connection; <c>$1</c>, <c>$2</c>... are bound to <paramref name="args"/>.</summary>
    protected Task<int> ExecuteAsync(string sql, params object?[] args) => Database.ExecuteAsync(sql, args);

    /// <summary>The first column of the first row (default when there is none), on an admin connection (see <see cref="ServerDatabase.ScalarAsync"/>).</summary>
    protected Task<T?> ScalarAsync<T>(string sql, params object?[] args) => Database.ScalarAsync<T>(sql, args);

    /// <summary>Every row as column name -> value (null for SQL null), on an admin connection.</summary>
    protected Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, params object?[] args) => Database.QueryAsync(sql, args);

    /// <summary>
    /// Asserts that <paramref name="call"/> fails with SQLSTATE <paramref name="expected"/> and returns the
    /// exception (see <see cref="DbAssert.SqlStateAsync"/>).
    /// </summary>
    protected static Task<Exception> AssertSqlStateAsync(string expected, Func<Task> call) => DbAssert.SqlStateAsync(expected, call);

    private FunctionClient CreateClient(string service, string connectionString)
    {
        // The template is at the latest version, so the client's version check is skipped: creation stays synchronous.
        var options = new FunctionClientOptions { AllowOlderDatabase = true, StatementTimeout = TimeSpan.FromSeconds(30) };
        return FunctionClient.CreateAsync(Schema, service, connectionString, connectionString, options).GetAwaiter().GetResult();
    }

    private static InvalidOperationException NotSetUp() =>
        new("the FunctionTest database exists only while a test runs (between its [SetUp] and [TearDown])");
}

/// <summary>How <see cref="FunctionTest"/>s are kept apart.</summary>
public enum FunctionTestIsolation
{
    /// <summary>Each test gets its own clone of a template at the latest version (needs CREATE DATABASE).</summary>
    Clone,

    /// <summary>Every test shares one database, emptied by Respawn before each test (no CREATE DATABASE needed).</summary>
    Respawn,
}
