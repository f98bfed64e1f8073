namespace Tcdb.Client;

/// <summary>The SQLSTATEs services and tests test for (Taskcluster's named constants).</summary>
public static class SqlStates
{
    public const string DuplicateObject = "42710";
    public const string DuplicateTable = "42P07";
    public const string InvalidParameterValue = "22023";
    public const string NumericValueOutOfRange = "22003";
    public const string QueryCanceled = "57014";
    public const string ReadOnlySqlTransaction = "25006";
    public const string UndefinedColumn = "42703";
    public const string UndefinedObject = "42704";
    public const string UndefinedTable = "42P01";
    public const string UndefinedFunction = "42883";
    public const string UniqueViolation = "23505";
    public const string CheckViolation = "23514";
    public const string SyntaxError = "42601";
    public const string ForeignKeyViolation = "23503";
}
