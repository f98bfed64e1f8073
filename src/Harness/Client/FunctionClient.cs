using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using Tcdb.Migration;
using Tcdb.Schema;

namespace Tcdb.Client;

/// <summary>
/// Calls the stored functions of a schema the way a Taskcluster service does: read methods in a
/// read-only transaction on the read connection, write methods in a read-write transaction on the write
/// connection; another service's write methods are refused before touching the database; deprecated
/// methods only through <see cref="Deprecated"/>.
/// </summary>
public sealed partial class FunctionClient : IAsyncDisposable
{
    private readonly NpgsqlDataSource read;
    private readonly NpgsqlDataSource write;
    private readonly Dictionary<string, EffectiveMethod> active;
    private readonly Dictionary<string, EffectiveMethod> deprecated;

    private FunctionClient(DbSchema schema, string serviceName, NpgsqlDataSource read, NpgsqlDataSource write)
    {
        ServiceName = serviceName;
        this.read = read;
        this.write = write;
        var methods = schema.EffectiveMethods();
        active = methods.Where(m => !m.Deprecated).ToDictionary(m => m.Name, StringComparer.Ordinal);
        deprecated = methods.Where(m => m.Deprecated).ToDictionary(m => m.Name, StringComparer.Ordinal);
        Deprecated = new DeprecatedMethods(this);
    }

    /// <summary>The service this client acts for (underscore form, as in the methods' serviceName).</summary>
    public string ServiceName { get; }

    /// <summary>Deprecated methods: still in the database and callable, but only through this entry point.</summary>
    public DeprecatedMethods Deprecated { get; }

    /// <summary>
    /// Creates a client and checks the database is at least at the schema's latest version
    /// (unless <see cref="FunctionClientOptions.AllowOlderDatabase"/>).
    /// </summary>
    /// <exception cref="DatabaseTooOldException">the database has not been upgraded yet.</exception>
    public static async Task<FunctionClient> CreateAsync(
        DbSchema schema,
        string serviceName,
        string readConnectionString,
        string writeConnectionString,
        FunctionClientOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        options ??= new FunctionClientOptions();
        var client = new FunctionClient(
            schema,
            serviceName,
            Sql.DataSource(readConnectionString, options.StatementTimeout),
            Sql.DataSource(writeConnectionString, options.StatementTimeout));
        if (!options.AllowOlderDatabase)
        {
            try
            {
                var version = await client.DatabaseVersionAsync(cancellationToken);
                if (version < schema.LatestVersion)
                {
                    throw new DatabaseTooOldException(version, schema.LatestVersion);
                }
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }

        return client;
    }

    /// <summary>The version in tcversion, read on the read connection.</summary>
    public async Task<int> DatabaseVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await read.OpenConnectionAsync(cancellationToken);
        return await VersionTable.ReadAsync(connection, cancellationToken);
    }

    /// <summary>Calls an active method with positional arguments.</summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CallAsync(string name, params object?[] args) =>
        InvokeAsync(Resolve(name, deprecatedEntry: false), Arguments.Positional(args), CancellationToken.None);

    /// <summary>
    /// Calls an active method with named arguments (<c>name =&gt; value</c>) when every key matches
    /// <c>^[a-z0-9_]+_in$</c> (an empty map means no arguments); otherwise, as Taskcluster does, the map is
    /// sent as one positional JSON argument.
    /// </summary>
    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CallAsync(
        string name, IReadOnlyDictionary<string, object?> args, CancellationToken cancellationToken = default) =>
        InvokeAsync(Resolve(name, deprecatedEntry: false), Arguments.Named(args), cancellationToken);

    /// <summary>Iterates an offset-paginated method, adding <c>page_size_in</c> and <c>page_offset_in</c> to <paramref name="args"/>.</summary>
    public IAsyncEnumerable<IReadOnlyDictionary<string, object?>> PaginateByOffsetAsync(
        string name, IReadOnlyDictionary<string, object?> args, int pageSize = Pagination.DefaultPageSize, CancellationToken cancellationToken = default) =>
        Pagination.ByOffsetAsync(
            (size, offset, ct) => CallAsync(name, With(args, new Dictionary<string, object?> { ["page_size_in"] = size, ["page_offset_in"] = offset }), ct),
            pageSize,
            cancellationToken);

    /// <summary>
    /// Iterates a keyset-paginated method, adding <c>page_size_in</c> and <c>after_&lt;column&gt;_in</c> for every
    /// index column to <paramref name="args"/>.
    /// </summary>
    public IAsyncEnumerable<IReadOnlyDictionary<string, object?>> PaginateByIndexAsync(
        string name, IReadOnlyDictionary<string, object?> args, IReadOnlyList<string> indexColumns, int pageSize = Pagination.DefaultPageSize, CancellationToken cancellationToken = default) =>
        Pagination.ByIndexAsync(
            indexColumns,
            (size, after, ct) => CallAsync(name, With(With(args, after), new Dictionary<string, object?> { ["page_size_in"] = size }), ct),
            pageSize,
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await read.DisposeAsync();
        await write.DisposeAsync();
    }

    private static Dictionary<string, object?> With(IReadOnlyDictionary<string, object?> first, IReadOnlyDictionary<string, object?> second)
    {
        var merged = new Dictionary<string, object?>(first, StringComparer.Ordinal);
        foreach (var (key, value) in second)
        {
            merged[key] = value;
        }

        return merged;
    }

    private EffectiveMethod Resolve(string name, bool deprecatedEntry)
    {
        var (table, other) = deprecatedEntry ? (deprecated, active) : (active, deprecated);
        if (!table.TryGetValue(name, out var method))
        {
            throw new MethodNotAllowedException(other.ContainsKey(name)
                ? deprecatedEntry
                    ? $"{name} is not deprecated; call it through CallAsync"
                    : $"{name} is deprecated; call it through Deprecated.CallAsync"
                : $"no method named {name} in the schema");
        }

        var definition = method.Definition;
        if (definition.Mode != MethodMode.Read && definition.ServiceName != ServiceName)
        {
            throw new MethodNotAllowedException($"{ServiceName} is not allowed to call read-write methods for {definition.ServiceName}");
        }

        return method;
    }

    private async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> InvokeAsync(EffectiveMethod method, Arguments args, CancellationToken cancellationToken)
    {
        var isRead = method.Definition.Mode == MethodMode.Read;
        await using var connection = await (isRead ? read : write).OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var mode = new NpgsqlCommand(isRead ? "set transaction read only" : "set transaction read write", connection))
            {
                await mode.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = new NpgsqlCommand("select * from " + SqlText.QuoteIdentifier(method.Name) + "(" + args.Placeholders + ")", connection);
            foreach (var value in args.Values)
            {
                command.Parameters.Add(Parameter(value));
            }

            var rows = new List<IReadOnlyDictionary<string, object?>>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }

                    rows.Add(row);
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return rows;
        }
        catch (PostgresException e)
        {
            throw new DbFunctionException(method.Name, e);
        }
    }

    /// <summary>
    /// Strings (and JSON documents) travel with an unspecified type so PostgreSQL infers it from the
    /// function's signature, as Taskcluster's client does; other values keep their Npgsql type.
    /// </summary>
    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        NpgsqlParameter parameter => parameter,
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown },
        string text => new NpgsqlParameter { Value = text, NpgsqlDbType = NpgsqlDbType.Unknown },
        JsonDocument or JsonElement or System.Text.Json.Nodes.JsonNode => new NpgsqlParameter { Value = JsonSerializer.Serialize(value), NpgsqlDbType = NpgsqlDbType.Unknown },
        _ => new NpgsqlParameter { Value = value },
    };

    /// <summary>Deprecated methods of the schema; calling them is allowed but visible in code.</summary>
    public sealed class DeprecatedMethods
    {
        private readonly FunctionClient client;

        internal DeprecatedMethods(FunctionClient client) => this.client = client;

        public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CallAsync(string name, params object?[] args) =>
            client.InvokeAsync(client.Resolve(name, deprecatedEntry: true), Arguments.Positional(args), CancellationToken.None);

        public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CallAsync(
            string name, IReadOnlyDictionary<string, object?> args, CancellationToken cancellationToken = default) =>
            client.InvokeAsync(client.Resolve(name, deprecatedEntry: true), Arguments.Named(args), cancellationToken);
    }

    private sealed partial record Arguments(string Placeholders, IReadOnlyList<object?> Values)
    {
        public static Arguments Positional(IReadOnlyList<object?> values) =>
            new(string.Join(", ", values.Select((_, i) => "$" + (i + 1))), values);

        public static Arguments Named(IReadOnlyDictionary<string, object?> args)
        {
            if (!args.Keys.All(k => NamedArgument().IsMatch(k)))
            {
                // Taskcluster's rule: not every key is an _in name, so the map is one JSON value.
                return Positional([JsonSerializer.Serialize(args)]);
            }

            var keys = args.Keys.ToList();
            return new(string.Join(", ", keys.Select((k, i) => k + " => $" + (i + 1))), keys.Select(k => args[k]).ToList());
        }

        [GeneratedRegex("^[a-z0-9_]+_in$")]
        private static partial Regex NamedArgument();
    }
}
