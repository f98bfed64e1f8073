using System.Text.RegularExpressions;
using Npgsql;

namespace Tcdb.Snapshots;

/// <summary>
/// How the snapshot's catalog statements run: prepared, and without parameters. A snapshot's statements are
/// large unions whose planning costs as much as their execution; a prepared statement without parameters is
/// planned once per connection and its plan kept on every PostgreSQL major (with parameters, a server plans
/// each of the first five executions anew, and PostgreSQL 11 has no setting to stop it). So the statements are
/// written with <c>$1</c>..<c>$5</c> for readability, and each placeholder reads a setting of the reading
/// transaction, which <see cref="SetAsync"/> writes first: $1 the schemas, $2 the role prefix (empty: any),
/// $3 whether PUBLIC's grants count, $5 the groups to print (read only by the statement that prints some groups).
/// </summary>
internal static partial class CatalogStatements
{
    private static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal)
    {
        ["1"] = "(select current_setting('tcdb.schemas')::name[])::name[]",
        ["2"] = "(select nullif(current_setting('tcdb.role_prefix'), ''))::text",
        ["3"] = "(select current_setting('tcdb.public_grants')::boolean)::boolean",
        ["5"] = "(select nullif(current_setting('tcdb.print'), '')::oid[])::oid[]",
    };

    /// <summary>
    /// <paramref name="sql"/> with each placeholder (and its cast) replaced by the setting it stands for: a subquery,
    /// evaluated once per statement, cast so that <c>any(...)</c> takes it for an array, not for a set of rows.
    /// </summary>
    public static string Bind(string sql) => Placeholder().Replace(sql, m => Settings[m.Groups[1].Value]);

    /// <summary>Writes the settings the placeholders read, for the rest of <paramref name="transaction"/>; $5 is empty.</summary>
    public static async Task SetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CatalogSnapshotOptions options, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select set_config('tcdb.schemas', $1::text[]::text, true), set_config('tcdb.role_prefix', $2, true), set_config('tcdb.public_grants', $3::text, true), " +
            "set_config('tcdb.print', '', true)",
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = options.Schemas.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = options.RolePrefix?.RoleNameStart ?? string.Empty, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = options.IncludePublicGrants });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Sets $5: only the groups of these oids are printed.</summary>
    public static async Task SetPrintAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, uint[] print, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select set_config('tcdb.print', $1::oid[]::text, true)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = print, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A prepared command of <paramref name="sql"/> (already bound): the connection keeps it, and its plan, across uses.</summary>
    public static async Task<NpgsqlCommand> PrepareAsync(string sql, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await command.PrepareAsync(cancellationToken);
        return command;
    }

    [GeneratedRegex(@"\$([1235])(?:::(?:text|oid\[\]))?", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
