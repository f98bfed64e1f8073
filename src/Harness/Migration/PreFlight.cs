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
        await CheckCollationAsync(connection, cancellationToken);
        await CheckServerVersionAsync(connection, gate, cancellationToken);
    }

    private static async Task CreateExtensionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await Sql.ExecuteAsync(connection, "create extension pgcrypto", cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
        {
            // Already installed (23505: installed concurrently by another upgrader).
        }
        catch (PostgresException e)
        {
            throw new MigrationException(
                $"cannot create extension pgcrypto: {e.MessageText} (SQLSTATE {e.SqlState}); before PostgreSQL 13 this needs a superuser, or install it in schema public beforehand", e);
        }
    }

    private static async Task CheckCollationAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var (first, second) in CollationPairs)
        {
            // Text parameters compared with the database's default collation: no literal, no explicit collation.
            var wrong = await Sql.ScalarAsync<int?>(
                connection,
                "select 1 where $1::text >= $2::text",
                cancellationToken,
                first,
                second);
            if (wrong is not null)
            {
                var collation = await Sql.ScalarAsync<string>(connection, "select datcollate from pg_database where datname = current_database()", cancellationToken);
                throw new MigrationException(
                    $"Postgres database must have default collation en_US.utf8 (and in particular sort `0` < `a` < `A` < `b` < `B`, for proper slugid ordering); this database is using {collation}, and sorts '{first}' >= '{second}'.");
            }
        }
    }

    private static async Task CheckServerVersionAsync(NpgsqlConnection connection, ServerVersionGate gate, CancellationToken cancellationToken)
    {
        var number = int.Parse(
            (await Sql.ScalarAsync<string>(connection, "select current_setting('server_version_num')", cancellationToken))!,
            System.Globalization.CultureInfo.InvariantCulture);
        var major = number / 10000;
        if (!gate.Accepts(major))
        {
            throw new MigrationException($"PostgreSQL {major} is not supported: the accepted majors are {gate}");
        }
    }
}
