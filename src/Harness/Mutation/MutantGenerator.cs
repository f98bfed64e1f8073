using Tcdb.Policy;
using Tcdb.Schema;

namespace Tcdb.Mutation;

/// <summary>
/// The mutants of one version: every place where one of the <see cref="MutationOperator"/>s applies to its
/// migration script, its downgrade script, the functions those scripts create, or the bodies of the methods
/// the version defines. Pure: the same schema gives the same mutants, in the same order, with the same ids.
/// </summary>
public static class MutantGenerator
{
    private static readonly HashSet<string> DowngradeStatements = new(StringComparer.Ordinal) { "drop", "revoke", "grant", "alter", "update", "insert", "delete" };

    private static readonly HashSet<string> DataStatements = new(StringComparer.Ordinal) { "insert", "update", "delete" };

    public static IReadOnlyList<Mutant> Generate(DbSchema schema, int version)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var entry = schema.GetVersion(version);
        var services = schema.Access.Select(s => s.Name.Replace('-', '_')).ToList();
        var edits = new List<Edit>();
        if (!string.IsNullOrEmpty(entry.MigrationScript))
        {
            edits.AddRange(ScriptEdits(entry.MigrationScript, MutantTarget.MigrationScript, entry.MigrationScriptLocation, services));
        }

        if (!string.IsNullOrEmpty(entry.DowngradeScript))
        {
            edits.AddRange(ScriptEdits(entry.DowngradeScript, MutantTarget.DowngradeScript, entry.DowngradeScriptLocation, services));
        }

        foreach (var method in entry.Methods.Where(m => m.IsDefinition && !string.IsNullOrEmpty(m.Body)))
        {
            var code = new SqlCode(method.Body!, isScript: false);
            edits.AddRange(BodyEdits(code, new TextSpan(0, method.Body!.Length)).Select(e => e with { Target = MutantTarget.Method, Method = method.Name, Start = method.BodyLocation }));
        }

        var mutants = new List<Mutant>();
        var seen = new HashSet<(MutantTarget, string?, string)>();
        foreach (var edit in edits)
        {
            var mutant = edit.ToMutant(version, mutants.Count + 1);
            // Two operators that make the same text are one mutant.
            if (seen.Add((mutant.Target, mutant.Method, mutant.MutatedText)))
            {
                mutants.Add(mutant);
            }
        }

        return mutants;
    }

    private static IEnumerable<Edit> ScriptEdits(string script, MutantTarget target, SourceLocation? location, IReadOnlyList<string> services)
    {
        var code = new SqlCode(script, isScript: true);
        var downgrade = target == MutantTarget.DowngradeScript;
        var edits = new List<Edit>();
        foreach (var statement in code.Statements())
        {
            var span = new TextSpan(statement.Start, statement.End);
            var actions = code.AlterTableActions(statement);
            if (downgrade && actions.Count > 1)
            {
                for (var i = 0; i < actions.Count; i++)
                {
                    // The action with the comma that joins it to its neighbour.
                    var removed = i == 0 ? new TextSpan(actions[0].Start, actions[1].Start) : new TextSpan(actions[i - 1].End, actions[i].End);
                    edits.Add(Edit.Of(code, MutationOperator.DropAlterAction, removed, string.Empty, $"removes `{Flat(code.Text, actions[i])}` from `{Flat(code.Text, span)}`"));
                }
            }
            else if (downgrade ? DowngradeStatements.Contains(statement.Keyword) || statement.Starts("create", "index") || statement.Starts("create", "unique", "index")
                               : DataStatements.Contains(statement.Keyword) || statement.Keyword == "revoke")
            {
                edits.Add(Edit.Of(code, MutationOperator.DropStatement, code.Removal(span), string.Empty, $"removes the statement `{Flat(code.Text, span)}`"));
            }

            if (DataStatements.Contains(statement.Keyword))
            {
                edits.AddRange(WhereEdits(code, span));
            }

            foreach (var granted in code.GrantedServices(statement))
            {
                var service = code.Text[granted.Start..granted.End];
                if (services.FirstOrDefault(s => s != service) is { } other)
                {
                    edits.Add(Edit.Of(code, MutationOperator.GrantToOtherService, granted, other, $"grants to service {other} instead of {service}: `{Flat(code.Text, span)}`"));
                }
            }

            if (statement.Keyword is "drop" or "alter")
            {
                foreach (var ifExists in code.IfExists(statement))
                {
                    edits.Add(Edit.Of(code, MutationOperator.DropIfExists, code.Removal(ifExists), string.Empty, $"removes `if exists` from `{Flat(code.Text, span)}`"));
                }
            }
        }

        foreach (var (function, body) in code.FunctionBodies())
        {
            var bodyText = script[body.Start..body.End];
            var bodyCode = new SqlCode(bodyText, isScript: true);
            edits.AddRange(BodyEdits(bodyCode, new TextSpan(0, bodyText.Length)).Select(e => e.Within(code, body.Start, function)));
        }

        return edits.Select(e => e with { Target = target, Start = location });
    }

    /// <summary>Edits of a function body: a where condition removed, a comparison swapped, a locking clause removed.</summary>
    private static IEnumerable<Edit> BodyEdits(SqlCode code, TextSpan span)
    {
        foreach (var edit in WhereEdits(code, span))
        {
            yield return edit;
        }

        foreach (var comparison in code.Comparisons(span))
        {
            var op = code.Text[comparison.Start..comparison.End];
            var swapped = op switch { "<" => "<=", "<=" => "<", ">" => ">=", _ => ">" };
            yield return Edit.Of(code, MutationOperator.SwapComparison, comparison, swapped, $"`{op}` becomes `{swapped}`");
        }

        foreach (var clause in code.LockingClauses(span))
        {
            yield return Edit.Of(code, MutationOperator.DropForUpdate, code.Removal(clause), string.Empty, $"removes `{Flat(code.Text, clause)}`");
        }
    }

    private static IEnumerable<Edit> WhereEdits(SqlCode code, TextSpan span)
    {
        foreach (var clause in code.WhereClauses(span))
        {
            var conditions = clause.Conditions;
            if (conditions.Count == 1)
            {
                var whole = new TextSpan(clause.Keyword, clause.End);
                yield return Edit.Of(code, MutationOperator.DropWhereCondition, code.Removal(whole), string.Empty, $"removes `{Flat(code.Text, whole)}`");
                continue;
            }

            for (var i = 0; i < conditions.Count; i++)
            {
                var removed = i == 0 ? new TextSpan(conditions[0].Start, conditions[1].Start) : new TextSpan(conditions[i - 1].End, conditions[i].End);
                yield return Edit.Of(code, MutationOperator.DropWhereCondition, removed, string.Empty, $"removes the condition `{Flat(code.Text, conditions[i])}`");
            }
        }
    }

    /// <summary>A fragment of SQL on one line (runs of whitespace folded), for summaries.</summary>
    private static string Flat(string text, TextSpan span)
    {
        var flat = string.Join(' ', text[span.Start..span.End].Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..157] + "...";
    }

    /// <summary>One edit of a text: <see cref="Span"/> replaced by <see cref="Replacement"/>.</summary>
    private sealed record Edit(MutationOperator Operator, string Text, TextSpan Span, string Replacement, string Summary)
    {
        public MutantTarget Target { get; init; }

        public string? Method { get; init; }

        public string? Function { get; init; }

        /// <summary>Where the edited text starts in its file.</summary>
        public SourceLocation? Start { get; init; }

        public static Edit Of(SqlCode code, MutationOperator op, TextSpan span, string replacement, string summary) => new(op, code.Text, span, replacement, summary);

        /// <summary>This edit of a function body, moved into the script that holds the body at <paramref name="offset"/>.</summary>
        public Edit Within(SqlCode script, int offset, string function) =>
            this with { Text = script.Text, Span = new TextSpan(Span.Start + offset, Span.End + offset), Function = function };

        public Mutant ToMutant(int version, int number)
        {
            var mutated = Text[..Span.Start] + Replacement + Text[Span.End..];
            var lines = SqlCode.Lines(Text, Span);
            var after = mutated[lines.Start..(lines.End + Replacement.Length - Span.Length)];
            return new Mutant(
                $"v{version:D4}-{number:D2}",
                version,
                Operator,
                Target,
                Method,
                Function,
                SqlScan.At(Start, Text, lines.Start),
                Text[lines.Start..lines.End].TrimEnd('\r', '\n'),
                after.TrimEnd('\r', '\n'),
                Summary,
                mutated);
        }
    }
}
