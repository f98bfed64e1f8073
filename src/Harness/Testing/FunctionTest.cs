using Npgsql;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Testing;

/// <summary>
/// NUnit base class for tests of a db directory's stored functions. Every test gets a fresh database at the
/// latest version, cloned from a template that is upgraded once per run and directory, and function clients
/// that log in as the service roles, so the grants of access.yml are really exercised.
/// </summary>
/// <remarks>
/// The db directory is the first <c>db</c> folder holding <c>versions</c> found walking up from the test's
/// bin folder (override <see cref="DbDirectory"/> to choose another). The template comes from
/// <see cref="VersionTemplates"/>, shared with <see cref="VersionTest"/>; it and the service roles are dropped
/// when the run's server stops (<see cref="TestServer.ShutdownAsync"/>).
/// </remarks>
public abstract class FunctionTest
{
    private readonly Dictionary<string, FunctionClient> clients = new(StringComparer.Ordinal);
    private VersionTemplates? templates;
    private TestDatabase? database;

    /// <summary>The users prefix of this run's databases: service roles are <c>&lt;prefix&gt;_&lt;service&gt;</c>.</summary>
    protected string UsersPrefix => (templates ?? throw NotSetUp()).UsersPrefix;

    /// <summary>The db directory under test.</summary>
    protected virtual string DbDirectory => DbDirectories.Find(TestContext.CurrentContext.TestDirectory);

    /// <summary>The loaded db directory.</summary>
    protected DbSchema Schema => (templates ?? throw NotSetUp()).Schema;

    /// <summary>This test's database (at the latest version); dropped after the test.</summary>
    protected TestDatabase Database => database ?? throw NotSetUp();

    [SetUp]
    public async Task CreateFunctionTestDatabaseAsync()
    {
        var server = await TestServer.GetAsync();
        templates = VersionTemplates.For(server, DbDirectories.Load(DbDirectory));
        database = await templates.CloneAtLatestAsync();
    }

    [TearDown]
    public async Task DropFunctionTestDatabaseAsync()
    {
        foreach (var client in clients.Values)
        {
            await client.DisposeAsync();
        }

        clients.Clear();
        if (database is not null)
        {
            await database.DisposeAsync();
            database = null;
        }
    }

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
            client = CreateClient(access.Name.Replace('-', '_'), templates!.ServiceConnectionString(Database, access.Name));
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
    protected async Task<int> ExecuteAsync(string sql, params object?[] args)
    {
        await using var connection = await Database.OpenAsync();
        await using var command = Command(connection, sql, args);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row (default when there is none), on an admin connection.</summary>
    protected async Task<T?> ScalarAsync<T>(string sql, params object?[] args)
    {
        await using var connection = await Database.OpenAsync();
        await using var command = Command(connection, sql, args);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>Every row as column name -> value (null for SQL null), on an admin connection.</summary>
    protected async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, params object?[] args)
    {
        await using var connection = await Database.OpenAsync();
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

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

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return command;
    }

    private static InvalidOperationException NotSetUp() =>
        new("the FunctionTest database exists only while a test runs (between its [SetUp] and [TearDown])");
}
