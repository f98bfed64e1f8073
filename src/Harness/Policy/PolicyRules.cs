namespace Tcdb.Policy;

/// <summary>A policy rule: its stable id, severity and the practice it stands for.</summary>
public sealed record PolicyRule(string Id, PolicySeverity Severity, string Summary);

/// <summary>The catalogue of rule ids. Ids are stable: waivers and CI scripts name them.</summary>
public static class PolicyRules
{
    public static readonly PolicyRule TimestampWithoutTimeZone = new("timestamp-without-tz", PolicySeverity.Error, "a tables.yml column is timestamp without time zone; use timestamptz");
    public static readonly PolicyRule DropDefinedFunction = new("drop-defined-function", PolicySeverity.Error, "a migration script drops a function an earlier version defined as a method (functions are forever)");
    public static readonly PolicyRule ReadMethodWrites = new("read-method-writes", PolicySeverity.Error, "a read-mode method's body modifies data or schema");
    public static readonly PolicyRule ServiceNotInAccess = new("service-not-in-access", PolicySeverity.Error, "an active method's serviceName is not a service of access.yml");
    public static readonly PolicyRule SelectStar = new("select-star", PolicySeverity.Warning, "a method body selects * (or t.*); list the columns");
    public static readonly PolicyRule ArgWithoutInSuffix = new("arg-without-in-suffix", PolicySeverity.Warning, "a method argument name does not end in _in");
    public static readonly PolicyRule JsonNotJsonb = new("json-not-jsonb", PolicySeverity.Warning, "json is used where jsonb is preferred (tables.yml, args, returns)");
    public static readonly PolicyRule DynamicSqlConcat = new("dynamic-sql-concat", PolicySeverity.Warning, "execute runs SQL built with ||; use format() with %I/%L or execute ... using");
    public static readonly PolicyRule SqlFileNotFound = new("sql-file-not-found", PolicySeverity.Warning, "a one-line script or body looks like a .sql file name but no such file exists, so it is used as SQL text");
    public static readonly PolicyRule UserPrefixInBody = new("user-prefix-in-body", PolicySeverity.Warning, "a method body contains $db_user_prefix$, which is only substituted in scripts");
    public static readonly PolicyRule UnusedWaiver = new("unused-waiver", PolicySeverity.Warning, "a waiver matches no finding");

    public static IReadOnlyList<PolicyRule> All { get; } =
    [
        TimestampWithoutTimeZone, DropDefinedFunction, ReadMethodWrites, ServiceNotInAccess,
        SelectStar, ArgWithoutInSuffix, JsonNotJsonb, DynamicSqlConcat, SqlFileNotFound, UserPrefixInBody, UnusedWaiver,
    ];

    public static PolicyRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
