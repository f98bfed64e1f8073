using Npgsql;

namespace Tcdb.Client;

/// <summary>A stored function failed in the database; <see cref="SqlState"/> tells how (see <see cref="SqlStates"/>).</summary>
public sealed class DbFunctionException : Exception
{
    public DbFunctionException(string method, PostgresException inner)
        : base($"{method}: {inner.MessageText} (SQLSTATE {inner.SqlState})", inner)
    {
        Method = method;
        SqlState = inner.SqlState;
        Detail = inner.Detail;
        Hint = inner.Hint;
    }

    public string Method { get; }

    public string SqlState { get; }

    public string? Detail { get; }

    public string? Hint { get; }
}

/// <summary>The call was refused before touching the database (wrong service, deprecated method, unknown name).</summary>
public sealed class MethodNotAllowedException(string message) : Exception(message);

/// <summary>The database is at an older version than the schema the client was built for.</summary>
public sealed class DatabaseTooOldException(int databaseVersion, int schemaVersion)
    : Exception($"Database version {databaseVersion} is older than this software version (schema version {schemaVersion}); upgrade the database first")
{
    public int DatabaseVersion { get; } = databaseVersion;

    public int SchemaVersion { get; } = schemaVersion;
}
