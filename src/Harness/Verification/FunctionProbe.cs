using Npgsql;
using Tcdb.Schema;

namespace Tcdb.Verification;

/// <summary>The outcome of calling one stored function with generated arguments.</summary>
public sealed record ProbeResult(string Method, MethodMode Mode, bool Deprecated, string? SqlState, string? Error)
{
    /// <summary>
    /// The error means the body cannot run at this version: it names something that does not exist
    /// (SQLSTATE class 42), a read method wrote (25006), or PL/pgSQL control flow broke (class 2F).
    /// Errors the function raises on purpose or that arbitrary arguments provoke are not defects.
    /// </summary>
    public bool IsDefect => SqlState is { } code &&
        (code.StartsWith("42", StringComparison.Ordinal) || code.StartsWith("2F", StringComparison.Ordinal) ||
         (code == "25006" && Mode == MethodMode.Read));
}

/// <summary>
/// Calls every stored function that exists at a version once, each in its own rolled-back transaction
/// (read-only for read methods, as the function client does), with arguments generated from its signature.
/// PL/pgSQL resolves names only when a statement runs, so this is how a body that still refers to a dropped
/// table or column is caught.
/// </summary>
public static class FunctionProbe
{
    private const string ProbeUuid = "5d5f2a70-3b48-4b8e-9f0e-7b1d2c3a4e5f";

    public static async Task<IReadOnlyList<ProbeResult>> CallAllAsync(
        NpgsqlConnection connection, DbSchema schema, int atVersion, CancellationToken cancellationToken = default)
    {
        return await CallEachAsync(connection, schema.EffectiveMethods(atVersion), cancellationToken);
    }

    /// <summary>
    /// Calls each method once, read methods in one read-only transaction and write methods in one read-write
    /// transaction, every call in its own subtransaction that is rolled back (a DO block per mode, results sent
    /// back as notices): two round trips instead of one per method. Falls back to one call at a time when a
    /// block cannot finish (e.g. a call that hangs until the statement timeout).
    /// </summary>
    public static async Task<IReadOnlyList<ProbeResult>> CallEachAsync(
        NpgsqlConnection connection, IReadOnlyList<EffectiveMethod> methods, CancellationToken cancellationToken = default)
    {
        var results = new List<ProbeResult>();
        foreach (var group in methods.GroupBy(m => m.Definition.Mode ?? MethodMode.Write))
        {
            var batch = group.ToList();
            try
            {
                results.AddRange(await CallInOneBlockAsync(connection, group.Key, batch, cancellationToken));
            }
            catch (PostgresException)
            {
                foreach (var method in batch)
                {
                    results.Add(await CallAsync(connection, method, cancellationToken));
                }
            }
        }

        return results;
    }

    private static async Task<IReadOnlyList<ProbeResult>> CallInOneBlockAsync(
        NpgsqlConnection connection, MethodMode mode, IReadOnlyList<EffectiveMethod> methods, CancellationToken cancellationToken)
    {
        const string Sentinel = "TCPRB";
        var block = new System.Text.StringBuilder("declare ctx text; begin\n");
        for (var i = 0; i < methods.Count; i++)
        {
            block.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"begin perform count(*) from {Call(methods[i])}; raise exception using errcode = '{Sentinel}'; " +
                $"exception when sqlstate '{Sentinel}' then raise notice '{i}|ok'; " +
                $"when others then get stacked diagnostics ctx = pg_exception_context; raise notice '%', concat_ws('|', '{i}', sqlstate, sqlerrm, split_part(ctx, E'\\n', 1)); end;\n");
        }

        block.Append("end");
        var outcomes = new string?[methods.Count];
        void OnNotice(object? sender, NpgsqlNoticeEventArgs e)
        {
            var parts = e.Notice.MessageText.Split('|', 4);
            if (parts.Length >= 2 && int.TryParse(parts[0], out var index) && index >= 0 && index < outcomes.Length)
            {
                outcomes[index] = e.Notice.MessageText[(parts[0].Length + 1)..];
            }
        }

        connection.Notice += OnNotice;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            // One round trip: the transaction's mode and settings, then the block.
            await Execute(
                connection,
                (mode == MethodMode.Read ? "set transaction read only" : "set transaction read write") +
                "; set local statement_timeout = '60s'; set local client_min_messages = notice; do $tcdb_probe$" + block + "$tcdb_probe$",
                cancellationToken);
        }
        finally
        {
            connection.Notice -= OnNotice;
            await transaction.RollbackAsync(CancellationToken.None);
        }

        return methods.Select((method, i) =>
        {
            var outcome = outcomes[i] ?? "XX000|no result from the probe block";
            if (outcome == "ok")
            {
                return new ProbeResult(method.Name, mode, method.Deprecated, null, null);
            }

            var parts = outcome.Split('|', 3);
            var error = parts.Length > 1 ? parts[1] : outcome;
            if (parts.Length > 2 && parts[2].Length > 0)
            {
                error += $" ({parts[2]})";
            }

            return new ProbeResult(method.Name, mode, method.Deprecated, parts[0], error);
        }).ToList();
    }

    private static string Call(EffectiveMethod method) =>
        $"\"{method.Definition.Name}\"({string.Join(", ", MethodArguments.Parse(method.Definition.Args).Select(a => Literal(a.Type)))})";

    public static async Task<ProbeResult> CallAsync(NpgsqlConnection connection, EffectiveMethod method, CancellationToken cancellationToken = default)
    {
        var definition = method.Definition;
        var mode = definition.Mode ?? MethodMode.Write;
        var call = $"select count(*) from {Call(method)}";
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await Execute(connection, mode == MethodMode.Read ? "set transaction read only" : "set transaction read write", cancellationToken);
            await Execute(connection, "set local statement_timeout = '10s'", cancellationToken);
            await Execute(connection, call, cancellationToken);
            return new ProbeResult(definition.Name, mode, method.Deprecated, null, null);
        }
        catch (PostgresException e)
        {
            return new ProbeResult(definition.Name, mode, method.Deprecated, e.SqlState, e.MessageText + (e.Where is { Length: > 0 } where ? $" ({where.Split('\n')[0]})" : string.Empty));
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
    }

    /// <summary>A SQL expression of exactly the parameter's type, so the call resolves to this function.</summary>
    internal static string Literal(string type) =>
        LiteralText(type) is { } text
            ? $"'{text.Replace("'", "''")}'::{type}"
            // Enums get their first label; anything else a typed null.
            : $"(select e.enumlabel::text from pg_catalog.pg_enum e where e.enumtypid = '{type.Replace("'", "''")}'::regtype order by e.enumsortorder limit 1)::{type}";

    /// <summary>The text of the constant <see cref="Literal"/> passes for a parameter of this type; null when it passes none.</summary>
    internal static string? LiteralText(string type)
    {
        var t = type.Trim().ToLowerInvariant();
        return t switch
        {
            _ when t.EndsWith("[]", StringComparison.Ordinal) => "{}",
            // "true" also reads as SQL where a body splices the text into dynamic SQL (a scan condition).
            "text" or "name" or "citext" => "true",
            _ when t.StartsWith("character", StringComparison.Ordinal) || t.StartsWith("varchar", StringComparison.Ordinal) || t.StartsWith("char", StringComparison.Ordinal) => "p",
            "integer" or "int" or "int4" or "bigint" or "int8" or "smallint" or "int2" or "real" or "float4" or "float8" or "double precision" => "1",
            _ when t.StartsWith("numeric", StringComparison.Ordinal) || t.StartsWith("decimal", StringComparison.Ordinal) => "1",
            "boolean" or "bool" => "false",
            "uuid" => ProbeUuid,
            "jsonb" or "json" => "{}",
            "date" => "2020-01-01",
            _ when t.StartsWith("timestamp", StringComparison.Ordinal) => "2020-01-01T00:00:00Z",
            _ when t.StartsWith("interval", StringComparison.Ordinal) => "1 hour",
            "bytea" => "\\x00",
            _ => null,
        };
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
