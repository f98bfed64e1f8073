using Tcdb.Schema;

namespace Tcdb.Mutation;

/// <summary>A realistic mistake an author makes in a version, as one edit of its SQL.</summary>
public enum MutationOperator
{
    /// <summary>A statement is missing: of the downgrade a drop, revoke, grant, alter, update, insert, delete or create index; of the migration an insert, update, delete (data it moves) or revoke.</summary>
    DropStatement,

    /// <summary>One action of a downgrade's multi-action <c>alter table</c> is missing (<c>alter column x set not null</c>, <c>alter column y drop default</c>, ...).</summary>
    DropAlterAction,

    /// <summary>One condition of a <c>where</c> (of a data statement of a script, a method body or a function a script creates) is missing.</summary>
    DropWhereCondition,

    /// <summary>A <c>grant</c> names another service's role.</summary>
    GrantToOtherService,

    /// <summary><c>if exists</c> is missing from a <c>drop</c> or <c>alter</c>.</summary>
    DropIfExists,

    /// <summary><c>&lt;</c> and <c>&lt;=</c> (or <c>&gt;</c> and <c>&gt;=</c>) are swapped in a method body or a function a script creates.</summary>
    SwapComparison,

    /// <summary>A locking clause (<c>for update</c>, <c>for update skip locked</c>, <c>for share</c>, ...) is missing.</summary>
    DropForUpdate,
}

/// <summary>Which SQL text of the version a mutant edits.</summary>
public enum MutantTarget
{
    MigrationScript,
    DowngradeScript,
    Method,
}

/// <summary>
/// One mutant: version <see cref="Version"/> with one edit. <see cref="Before"/> and <see cref="After"/> are the
/// whole lines the edit touches, before and after it; <see cref="Location"/> is the first of them in its file.
/// </summary>
public sealed record Mutant(
    string Id,
    int Version,
    MutationOperator Operator,
    MutantTarget Target,
    string? Method,
    string? Function,
    SourceLocation? Location,
    string Before,
    string After,
    string Summary,
    string MutatedText)
{
    /// <summary>The stable kebab-case id of an operator, as printed and in reports.</summary>
    public static string OperatorId(MutationOperator op) => op switch
    {
        MutationOperator.DropStatement => "drop-statement",
        MutationOperator.DropAlterAction => "drop-alter-action",
        MutationOperator.DropWhereCondition => "drop-where-condition",
        MutationOperator.GrantToOtherService => "grant-other-service",
        MutationOperator.DropIfExists => "drop-if-exists",
        MutationOperator.SwapComparison => "swap-comparison",
        MutationOperator.DropForUpdate => "drop-for-update",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>Where the edit is, e.g. <c>downgrade script</c>, <c>method get_thing</c>, <c>migration script, function online_migration_v9_batch</c>.</summary>
    public string Where => (Target switch
    {
        MutantTarget.MigrationScript => "migration script",
        MutantTarget.DowngradeScript => "downgrade script",
        _ => $"method {Method}",
    }) + (Function is null ? string.Empty : $", function {Function}");

    /// <summary>Whether the edit is in the migration or downgrade script (method bodies change no grant or column).</summary>
    public bool EditsScript => Target != MutantTarget.Method;

    /// <summary>The version with this mutant's edit.</summary>
    public DbVersion Apply(DbVersion original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return Target switch
        {
            MutantTarget.MigrationScript => original with { MigrationScript = MutatedText },
            MutantTarget.DowngradeScript => original with { DowngradeScript = MutatedText },
            _ => original with { Methods = original.Methods.Select(m => m.Name == Method ? m with { Body = MutatedText } : m).ToList() },
        };
    }

    /// <summary>The whole schema with this mutant's edit.</summary>
    public DbSchema Apply(DbSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.WithVersion(Apply(schema.GetVersion(Version)));
    }

    /// <summary>e.g. <c>v0002-03 drop-statement (downgrade script, db/versions/0002.yml:14): removes `drop index things_color_idx;`</c>.</summary>
    public override string ToString() =>
        $"{Id} {OperatorId(Operator)} ({Where}{(Location is { } l ? $", {l.File}:{l.Line}" : string.Empty)}): {Summary}";
}
