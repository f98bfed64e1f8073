using System.Text.RegularExpressions;
using Tcdb.Policy;

namespace Tcdb.Mutation;

/// <summary>A statement of a PL/pgSQL block: from its first keyword to its semicolon (inclusive), in offsets of the text.</summary>
internal sealed record SqlStatement(int Start, int End, IReadOnlyList<string> Words)
{
    /// <summary>The first word, lower-cased (<c>drop</c>, <c>update</c>, ...).</summary>
    public string Keyword => Words.Count > 0 ? Words[0] : string.Empty;

    public bool Starts(params string[] words) => words.Length <= Words.Count && words.Select((w, i) => Words[i] == w).All(same => same);
}

/// <summary>A span of the text: [<see cref="Start"/>, <see cref="End"/>).</summary>
internal readonly record struct TextSpan(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>
/// A <c>where</c> clause: the keyword's offset and the conditions joined by a top-level <c>and</c>
/// (an <c>and</c> that belongs to <c>between</c> does not split).
/// </summary>
internal sealed record WhereClause(int Keyword, IReadOnlyList<TextSpan> Conditions)
{
    public int End => Conditions[^1].End;
}

/// <summary>
/// The SQL of a migration script, a downgrade script or a method body read as code, the way PostgreSQL
/// reads it: comments, string literals (with E'' backslash escapes) and dollar-quoted strings are never
/// taken for code (<see cref="SqlScan.Code"/> blanks them, keeping every offset). In scripts the
/// <c>$db_user_prefix$</c> placeholder is an identifier part, not a dollar quote, because the migrator
/// replaces it before the script runs. Offsets index <see cref="Text"/>.
/// </summary>
internal sealed partial class SqlCode
{
    private const string LockingClause =
        @"\bfor\s+(?:no\s+key\s+update|update|key\s+share|share)\b(?:\s+of\s+[a-z_][a-z0-9_.]*(?:\s*,\s*[a-z_][a-z0-9_.]*)*)?(?:\s+(?:skip\s+locked|nowait))?";

    private static readonly HashSet<string> WhereEnds = new(StringComparer.Ordinal)
    {
        "group", "order", "limit", "offset", "returning", "for", "window", "having", "union", "except", "intersect", "loop", "do", "on", "into",
    };

    public SqlCode(string text, bool isScript)
    {
        Text = text;
        Code = isScript ? SqlScan.ScriptCode(text) : SqlScan.Code(text);
    }

    public string Text { get; }

    /// <summary><see cref="Text"/> lower-cased with comments and the content of literals blanked.</summary>
    public string Code { get; }

    /// <summary>
    /// Every statement ended by a semicolon outside parentheses, nested ones included (the statements of an
    /// <c>if</c>, a loop, an inner block): the block keywords before a statement (<c>begin</c>, <c>then</c>,
    /// <c>if ... then</c>, <c>for ... loop</c>, ...) are not part of it. Bodies of functions the text creates
    /// are dollar-quoted, so their statements are not listed (see <see cref="FunctionBodies"/>).
    /// </summary>
    public IReadOnlyList<SqlStatement> Statements()
    {
        var statements = new List<SqlStatement>();
        var depth = 0;
        var pieceStart = 0;
        for (var i = 0; i < Code.Length; i++)
        {
            switch (Code[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth = Math.Max(0, depth - 1);
                    break;
                case ';' when depth == 0:
                    if (StatementStart(pieceStart, i) is { } start)
                    {
                        statements.Add(new SqlStatement(start, i + 1, Words(start, i, 6)));
                    }

                    pieceStart = i + 1;
                    break;
            }
        }

        return statements;
    }

    /// <summary>The dollar-quoted bodies of the functions the text creates (<c>create [or replace] function ... as $tag$ body $tag$</c>), with the function's name.</summary>
    public IReadOnlyList<(string Function, TextSpan Body)> FunctionBodies()
    {
        var bodies = new List<(string, TextSpan)>();
        foreach (var statement in Statements().Where(s => s.Starts("create", "function") || s.Starts("create", "or", "replace", "function")))
        {
            var code = Code[statement.Start..statement.End];
            if (FunctionQuote().Match(code) is not { Success: true } match)
            {
                continue;
            }

            var open = statement.Start + match.Groups["tag"].Index;
            var tag = Text.Substring(open, match.Groups["tag"].Length);
            var close = Text.IndexOf(tag, open + tag.Length, StringComparison.Ordinal);
            if (close > 0)
            {
                bodies.Add((match.Groups["name"].Value, new TextSpan(open + tag.Length, close)));
            }
        }

        return bodies;
    }

    /// <summary>The <c>where</c> clauses inside <paramref name="span"/>, subqueries' included.</summary>
    public IReadOnlyList<WhereClause> WhereClauses(TextSpan span)
    {
        var clauses = new List<WhereClause>();
        foreach (Match match in WhereKeyword().Matches(Code[..span.End], span.Start))
        {
            var start = match.Index + match.Length;
            var conditions = new List<TextSpan>();
            var depth = 0;
            var caseDepth = 0;
            var conditionStart = start;
            var pendingBetween = false;
            var i = start;
            for (; i < span.End; i++)
            {
                var c = Code[i];
                if (c == '(')
                {
                    depth++;
                    continue;
                }

                if (c == ')')
                {
                    if (depth == 0)
                    {
                        break;
                    }

                    depth--;
                    continue;
                }

                if (c == ';' && depth == 0)
                {
                    break;
                }

                if (depth > 0 || !IsWordStart(i))
                {
                    continue;
                }

                var word = WordAt(i);
                if (word == "case")
                {
                    caseDepth++;
                }
                else if (word == "end" && caseDepth > 0)
                {
                    caseDepth--;
                }
                else if (caseDepth == 0 && word == "between")
                {
                    pendingBetween = true;
                }
                else if (caseDepth == 0 && word == "and")
                {
                    if (pendingBetween)
                    {
                        pendingBetween = false;
                    }
                    else
                    {
                        conditions.Add(Trim(conditionStart, i));
                        conditionStart = i + word.Length;
                    }
                }
                else if (caseDepth == 0 && WhereEnds.Contains(word))
                {
                    break;
                }

                i += Math.Max(0, word.Length - 1);
            }

            conditions.Add(Trim(conditionStart, i));
            if (conditions.All(c => c.Length > 0))
            {
                clauses.Add(new WhereClause(match.Index, conditions));
            }
        }

        return clauses;
    }

    /// <summary>The comparison operators <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> inside <paramref name="span"/>, as PostgreSQL's lexer splits operators.</summary>
    public IReadOnlyList<TextSpan> Comparisons(TextSpan span)
    {
        const string operatorChars = "+-*/<>=~!@#%^&|`?";
        const string specialChars = "~!@#%^&|`?";
        var found = new List<TextSpan>();
        var i = span.Start;
        while (i < span.End)
        {
            if (!operatorChars.Contains(Code[i], StringComparison.Ordinal))
            {
                i++;
                continue;
            }

            var end = i;
            while (end < span.End && operatorChars.Contains(Code[end], StringComparison.Ordinal))
            {
                end++;
            }

            // A multi-character operator cannot end in + or - unless it holds one of ~!@#%^&|`?.
            var tokenEnd = end;
            if (!Code[i..end].Any(c => specialChars.Contains(c, StringComparison.Ordinal)))
            {
                while (tokenEnd - i > 1 && Code[tokenEnd - 1] is '+' or '-')
                {
                    tokenEnd--;
                }
            }

            if (Code[i..tokenEnd] is "<" or "<=" or ">" or ">=")
            {
                found.Add(new TextSpan(i, tokenEnd));
            }

            i = end;
        }

        return found;
    }

    /// <summary>The locking clauses (<c>for update [of ...] [skip locked | nowait]</c>, <c>for share</c>, ...) inside <paramref name="span"/>.</summary>
    public IReadOnlyList<TextSpan> LockingClauses(TextSpan span) =>
        LockingClauseRegex().Matches(Code[..span.End], span.Start).Select(m => new TextSpan(m.Index, m.Index + m.Length)).ToList();

    /// <summary>The <c>if exists</c> words of a statement.</summary>
    public IReadOnlyList<TextSpan> IfExists(SqlStatement statement) =>
        IfExistsRegex().Matches(Code[..statement.End], statement.Start).Select(m => new TextSpan(m.Index, m.Index + m.Length)).ToList();

    /// <summary>
    /// The actions of an <c>alter table</c> statement (<c>alter column x set not null</c>, <c>drop column y</c>, ...):
    /// the comma-separated parts after the table name, without the semicolon.
    /// </summary>
    public IReadOnlyList<TextSpan> AlterTableActions(SqlStatement statement)
    {
        if (!statement.Starts("alter", "table"))
        {
            return [];
        }

        var position = statement.Start;
        foreach (var expected in new[] { "alter", "table" })
        {
            position = SkipSpace(position, statement.End) + expected.Length;
        }

        foreach (var optional in new[] { "if", "exists", "only" })
        {
            var next = SkipSpace(position, statement.End);
            if (WordAt(next) == optional)
            {
                position = next + optional.Length;
            }
        }

        // The table name: up to the next whitespace.
        position = SkipSpace(position, statement.End);
        while (position < statement.End && !char.IsWhiteSpace(Code[position]))
        {
            position++;
        }

        var actions = new List<TextSpan>();
        var depth = 0;
        var start = position;
        var last = statement.End - 1;
        for (var i = position; i < last; i++)
        {
            depth += Code[i] == '(' ? 1 : Code[i] == ')' ? -1 : 0;
            if (Code[i] == ',' && depth == 0)
            {
                actions.Add(Trim(start, i));
                start = i + 1;
            }
        }

        actions.Add(Trim(start, last));
        return actions.All(a => a.Length > 0) ? actions : [];
    }

    /// <summary>The role names after <c>to</c> in a <c>grant</c> statement whose role is <c>$db_user_prefix$_&lt;service&gt;</c>: the span of the service part.</summary>
    public IReadOnlyList<TextSpan> GrantedServices(SqlStatement statement)
    {
        if (statement.Keyword != "grant")
        {
            return [];
        }

        var code = Code[..statement.End];
        var to = GrantTo().Match(code, statement.Start);
        if (!to.Success)
        {
            return [];
        }

        return GranteeRole().Matches(code, to.Index + to.Length)
            .Select(m => m.Groups["service"])
            .Select(g => new TextSpan(g.Index, g.Index + g.Length))
            .ToList();
    }

    /// <summary><paramref name="span"/> widened to whole lines of the text: what a reviewer sees of an edit.</summary>
    public static TextSpan Lines(string text, TextSpan span)
    {
        var start = span.Start == 0 ? 0 : text.LastIndexOf('\n', span.Start - 1) + 1;
        var last = span.End > span.Start ? span.End - 1 : span.Start;
        var end = last < text.Length ? text.IndexOf('\n', last) : -1;
        return new TextSpan(start, Math.Max(span.End, end < 0 ? text.Length : end));
    }

    /// <summary>
    /// What removing <paramref name="span"/> takes away: the span, plus the blanks before it and, when it was
    /// alone on its lines, its indentation and the line break after it.
    /// </summary>
    public TextSpan Removal(TextSpan span)
    {
        var start = span.Start;
        while (start > 0 && Text[start - 1] is ' ' or '\t')
        {
            start--;
        }

        var end = span.End;
        while (end < Text.Length && Text[end] is ' ' or '\t')
        {
            end++;
        }

        var aloneOnLine = (start == 0 || Text[start - 1] == '\n') && (end == Text.Length || Text[end] is '\n' or '\r');
        if (aloneOnLine)
        {
            end = end < Text.Length && Text[end] == '\r' ? end + 1 : end;
            end = end < Text.Length && Text[end] == '\n' ? end + 1 : end;
            return new TextSpan(start, end);
        }

        // Keep one blank between the words before and after the span.
        var before = start > 0 && !char.IsWhiteSpace(Text[start - 1]);
        var after = end < Text.Length && !char.IsWhiteSpace(Text[end]) && Text[end] is not ';' and not ',' and not ')';
        if (before && after && end > span.End)
        {
            return new TextSpan(start, end - 1);
        }

        return before && after && start < span.Start ? new TextSpan(start + 1, end) : new TextSpan(start, end);
    }

    private int? StatementStart(int from, int to)
    {
        var position = from;
        while (true)
        {
            position = SkipSpace(position, to);
            if (position >= to)
            {
                return null;
            }

            if (Code[position] == '<' && position + 1 < to && Code[position + 1] == '<')
            {
                // A block label <<name>>.
                var close = Code.IndexOf(">>", position, to - position, StringComparison.Ordinal);
                if (close < 0)
                {
                    return position;
                }

                position = close + 2;
                continue;
            }

            var word = WordAt(position);
            switch (word)
            {
                case "begin" or "then" or "else" or "loop" or "declare" or "exception":
                    position += word.Length;
                    continue;
                case "if" or "elsif" or "when":
                    position = AfterWord(position + word.Length, to, "then");
                    break;
                case "for" or "foreach" or "while":
                    position = AfterWord(position + word.Length, to, "loop");
                    break;
                default:
                    return position;
            }

            if (position < 0)
            {
                return null;
            }
        }
    }

    /// <summary>The offset after the first <paramref name="word"/> at depth 0 (outside parentheses and case ... end), or -1.</summary>
    private int AfterWord(int from, int to, string word)
    {
        var depth = 0;
        var caseDepth = 0;
        for (var i = from; i < to; i++)
        {
            var c = Code[i];
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (depth == 0 && IsWordStart(i))
            {
                var current = WordAt(i);
                if (current == "case")
                {
                    caseDepth++;
                }
                else if (current == "end" && caseDepth > 0)
                {
                    caseDepth--;
                }
                else if (caseDepth == 0 && current == word)
                {
                    return i + word.Length;
                }

                i += Math.Max(0, current.Length - 1);
            }
        }

        return -1;
    }

    private List<string> Words(int from, int to, int count)
    {
        var words = new List<string>();
        var position = from;
        while (words.Count < count)
        {
            position = SkipSpace(position, to);
            var word = WordAt(position);
            if (position >= to || word.Length == 0)
            {
                break;
            }

            words.Add(word);
            position += word.Length;
        }

        return words;
    }

    private int SkipSpace(int from, int to)
    {
        var position = from;
        while (position < to && char.IsWhiteSpace(Code[position]))
        {
            position++;
        }

        return position;
    }

    private bool IsWordStart(int at) => IsWordChar(Code[at]) && !char.IsDigit(Code[at]) && (at == 0 || !IsWordChar(Code[at - 1]) && Code[at - 1] != '$');

    private string WordAt(int at)
    {
        if (at >= Code.Length || !IsWordChar(Code[at]) || char.IsDigit(Code[at]))
        {
            return string.Empty;
        }

        var end = at;
        while (end < Code.Length && IsWordChar(Code[end]))
        {
            end++;
        }

        return Code[at..end];
    }

    private static bool IsWordChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_';

    private TextSpan Trim(int start, int end)
    {
        while (start < end && char.IsWhiteSpace(Code[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(Code[end - 1]))
        {
            end--;
        }

        return new TextSpan(start, end);
    }

    [GeneratedRegex(@"\bwhere\b", RegexOptions.CultureInvariant)]
    private static partial Regex WhereKeyword();

    [GeneratedRegex(LockingClause, RegexOptions.CultureInvariant)]
    private static partial Regex LockingClauseRegex();

    [GeneratedRegex(@"\bif\s+exists\b", RegexOptions.CultureInvariant)]
    private static partial Regex IfExistsRegex();

    [GeneratedRegex(@"\bto\b", RegexOptions.CultureInvariant)]
    private static partial Regex GrantTo();

    [GeneratedRegex(@"\b" + SqlScan.MaskedPrefix + @"_(?<service>[a-z0-9_]+)", RegexOptions.CultureInvariant)]
    private static partial Regex GranteeRole();

    [GeneratedRegex(@"^\s*create\s+(?:or\s+replace\s+)?function\s+(?<name>[a-z_][a-z0-9_.]*)[\s\S]*?\bas\s+(?<tag>\$(?:[a-z_][a-z0-9_]*)?\$)", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionQuote();
}
