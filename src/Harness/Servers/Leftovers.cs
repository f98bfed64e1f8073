using Npgsql;

namespace Tcdb.Servers;

/// <summary>What <see cref="Leftovers.RemoveAsync"/> found and did.</summary>
/// <param name="DroppedDatabases">Databases of runs that are gone, dropped.</param>
/// <param name="DroppedRoles">Roles of runs that are gone, dropped.</param>
/// <param name="Kept">Objects of runs that are gone that could not be dropped, each with the reason.</param>
public sealed record LeftoverCleanup(IReadOnlyList<string> DroppedDatabases, IReadOnlyList<string> DroppedRoles, IReadOnlyList<string> Kept)
{
    public bool IsEmpty => DroppedDatabases.Count == 0 && DroppedRoles.Count == 0 && Kept.Count == 0;

    /// <summary>One line per kind of object (nothing when there was nothing to clean), e.g. for a log.</summary>
    public IEnumerable<string> Lines(string server)
    {
        if (DroppedDatabases.Count > 0)
        {
            yield return $"dropped {DroppedDatabases.Count} database(s) left on {server} by tcdb runs that are gone: {string.Join(", ", DroppedDatabases)}";
        }

        if (DroppedRoles.Count > 0)
        {
            yield return $"dropped {DroppedRoles.Count} role(s) left on {server} by tcdb runs that are gone: {string.Join(", ", DroppedRoles)}";
        }

        foreach (var kept in Kept)
        {
            yield return $"could not drop {kept}";
        }
    }
}

/// <summary>
/// Drops the databases and roles whose <see cref="RunMark"/> comment names a run that no longer holds its lock:
/// what killed or crashed runs left on a server. Objects without such a comment are never touched.
/// </summary>
public static class Leftovers
{
    public static async Task<LeftoverCleanup> RemoveAsync(string adminConnectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        var live = new HashSet<long>();
        await using (var locks = new NpgsqlCommand(
            "select objid::bigint from pg_locks where locktype = 'advisory' and classid = $1::bigint::oid and objsubid = 2 and granted", connection))
        {
            locks.Parameters.Add(new NpgsqlParameter { Value = (long)RunMark.LockClass });
            await using var reader = await locks.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                live.Add(reader.GetInt64(0));
            }
        }

        bool Gone(string? comment) => RunMark.Parse(comment) is { } mark && !live.Contains(mark.Key);
        var databases = (await CommentsAsync(connection, "select datname, shobj_description(oid, 'pg_database') from pg_database", cancellationToken))
            .Where(d => Gone(d.Comment)).Select(d => d.Name).ToList();
        var roles = (await CommentsAsync(connection, "select rolname, shobj_description(oid, 'pg_authid') from pg_roles", cancellationToken))
            .Where(r => Gone(r.Comment)).Select(r => r.Name).ToList();

        var droppedDatabases = new List<string>();
        var droppedRoles = new List<string>();
        var kept = new List<string>();
        foreach (var database in databases)
        {
            try
            {
                await PostgresServerBase.DropDatabaseAsync(connection, database, cancellationToken);
                droppedDatabases.Add(database);
            }
            catch (PostgresException e)
            {
                kept.Add($"database {database}: {e.MessageText} (SQLSTATE {e.SqlState})");
            }
        }

        foreach (var role in roles)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"drop role if exists {Sql.Identifier(role)}", connection);
                await drop.ExecuteNonQueryAsync(cancellationToken);
                droppedRoles.Add(role);
            }
            catch (PostgresException e)
            {
                kept.Add($"role {role}: {e.MessageText} (SQLSTATE {e.SqlState})");
            }
        }

        return new LeftoverCleanup(droppedDatabases, droppedRoles, kept);
    }

    private static async Task<List<(string Name, string? Comment)>> CommentsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var rows = new List<(string, string?)>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return rows;
    }
}
