using Tcdb.Schema;

namespace Tcdb.Policy;

/// <summary>How much a finding matters: errors are what Taskcluster enforces, warnings are advice.</summary>
public enum PolicySeverity
{
    Warning,
    Error,
}

/// <summary>
/// One breach of a best practice. <see cref="Object"/> is what a waiver names to accept it: a method name,
/// <c>table.column</c>, a dropped function's name, <c>vN.migrationScript</c>, ...
/// </summary>
public sealed record PolicyFinding(string RuleId, PolicySeverity Severity, SourceLocation? Location, string Object, string Message)
{
    /// <summary><c>file:line: rule: severity: message</c>.</summary>
    public override string ToString()
    {
        var where = Location is { } l ? (l.Line > 0 ? $"{l.File}:{l.Line}" : l.File) : "(schema)";
        return $"{where}: {RuleId}: {Severity.ToString().ToLowerInvariant()}: {Message}";
    }
}
