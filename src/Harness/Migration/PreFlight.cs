using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>
/// Checks run before every upgrade and downgrade, in Taskcluster's order: pgcrypto installed, the default
/// collation sorts like en_US.utf8, the server major is accepted.
/// </summary>
internal static class PreFlight
{
    // Each pair must sort first < second with the database's default collation.
    private static readonly (string First, string Second)[] CollationPairs =
        [("a", "A"), ("a", "b"), ("A", "b"), ("a", "B"), ("A", "B"), ("0", "a"), ("0", "A")];

    public static async Task RunAsync(NpgsqlConnection connection, ServerVersionGate gate, CancellationToken cancellationToken)
    {
        await CreateExtensionsAsync(connection, cancellationToken);
        await CheckCollationAndServerAsync(connection, gate, cancellationToken);
    }

    private static async Task CreateExtensionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await Sql.ExecuteAsync(connection, "create extension if not exists pgcrypto", cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
        {
            // Installed concurrently by another upgrader (23505, or 42710 when its name was taken in between).
        }
        catch (PostgresException e)
        {
            throw new MigrationException(
                $"cannot create extension pgcrypto: {e.MessageText} (SQLSTATE {e.SqlState}); before PostgreSQL 13 this needs a superuser, or install it in schema public beforehand", e);
        }
    }

    /// <summary>The collation pairs and the server's major in one round trip; the collation is judged first.</summary>
    private static async Task CheckCollationAndServerAsync(NpgsqlConnection connection, ServerVersionGate gate, CancellationToken cancellationToken)
    {
        // The pairs come as text[] parameters: their elements compare with the database's default collation
        // (no literal, no explicit collation). The first pair out of order, if any, is named by its position.
        await using var command = new NpgsqlCommand(
            "select (select min(p.i) from unnest($1::text[], $2::text[]) with ordinality p(a, b, i) where p.a >= p.b)::int, " +
            "(select datcollate::text from pg_database where datname = current_database()), current_setting('server_version_num')",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = CollationPairs.Select(p => p.First).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = CollationPairs.Select(p => p.Second).ToArray() });
        int? wrong;
        string collation, version;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            wrong = reader.IsDBNull(0) ? null : reader.GetInt32(0);
            collation = reader.GetString(1);
            version = reader.GetString(2);
        }

        if (wrong is { } position)
        {
            var (first, second) = CollationPairs[position - 1];
            throw new MigrationException(
                $"Postgres database must have default collation en_US.utf8 (and in particular sort `0` < `a` < `A` < `b` < `B`, for proper slugid ordering); this database is using {collation}, and sorts '{first}' >= '{second}'.");
        }

        var major = int.Parse(version, System.Globalization.CultureInfo.InvariantCulture) / 10000;
        if (!gate.Accepts(major))
        {
            throw new MigrationException($"PostgreSQL {major} is not supported: the accepted majors are {gate}");
        }
    }
}
