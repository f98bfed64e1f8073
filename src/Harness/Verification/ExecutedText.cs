namespace Tcdb.Verification;

/// <summary>
/// What the <c>execute</c> statements of a PL/pgSQL body can run, when that is knowable from the text alone.
/// The text an <c>execute</c> runs is bounded when it is a <c>||</c> chain of plain string literals, of
/// parameters whose values are known, and of local <c>text</c> variables that are only ever assigned such
/// chains (or nothing), with no two pieces that could fuse into a new name (a piece ending in a name
/// character followed by one starting with one) and no double quote in any piece (a quoted name could span
/// pieces). Such a text names only what the literals and the parameters' values name. Anything else makes
/// the text unknown: a function call in the chain (<c>format</c>, <c>quote_ident</c>), an escaped or
/// dollar-quoted literal, positional parameters, or any statement that can write a variable other than a
/// plain assignment (<c>into</c>, <c>for</c>, <c>foreach</c>, <c>fetch</c>, <c>get diagnostics</c>,
/// <c>call</c>, aliases, qualified or subscripted targets).
/// </summary>
internal static class ExecutedText
{
    // Words after which a PL/pgSQL statement (or, in a declare section, a declaration) starts.
    private static readonly HashSet<string> StatementStarts = new(StringComparer.Ordinal) { ";", "begin", "then", "else", "loop", "declare", "exception", ">>" };

    // Statements that write variables other than by assignment, and what makes a chain's value unknowable.
    private static readonly HashSet<string> Writers = new(StringComparer.Ordinal) { "into", "for", "foreach", "fetch", "move", "diagnostics", "call", "open", "alias" };

    private static readonly HashSet<string> TextTypes = new(StringComparer.Ordinal) { "text", "varchar" };

    /// <summary>
    /// Whether every text the body executes is bounded (see the class), given the function's
    /// <paramref name="parameters"/> (by folded name, each with its value, null when unknown).
    /// <paramref name="used"/> is the parameters whose values flow into an executed text.
    /// </summary>
    public static bool IsBounded(string body, IReadOnlyDictionary<string, string?> parameters, out IReadOnlySet<string> used)
    {
        var flowing = new HashSet<string>(StringComparer.Ordinal);
        used = flowing;
        if (Tokenize(body) is not { } tokens || tokens.Any(t => (t.Kind == TokenKind.Name && Writers.Contains(t.Text)) || t.Kind == TokenKind.Positional))
        {
            return false;
        }

        var chains = new List<Chain>();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Is("execute"))
            {
                if (ParseChain(tokens, i + 1, out var end) is not { } chain || !(tokens[end].Is("using") || tokens[end].Is(";")))
                {
                    return false;
                }

                chains.Add(chain);
            }
        }

        if (chains.Count == 0)
        {
            return true;
        }

        // The variables the executed texts read, and every assignment to them.
        var assignments = new Dictionary<string, List<Chain>>(StringComparer.Ordinal);
        var pending = new Queue<string>(chains.SelectMany(c => c.Names));
        while (pending.TryDequeue(out var name))
        {
            if (assignments.ContainsKey(name))
            {
                continue;
            }

            if (parameters.TryGetValue(name, out var value))
            {
                flowing.Add(name);
                if (value is not { Length: > 0 } || value.Contains('"', StringComparison.Ordinal) || !AssignmentsOf(tokens, name, parameter: true, out _, out _))
                {
                    return false;
                }

                assignments[name] = [];
                continue;
            }

            // A name that is neither a parameter nor declared here is one PL/pgSQL sets (tg_table_name, sqlerrm).
            if (!AssignmentsOf(tokens, name, parameter: false, out var assigned, out var declared) || !declared)
            {
                return false;
            }

            assignments[name] = assigned;
            foreach (var next in assigned.SelectMany(c => c.Names))
            {
                pending.Enqueue(next);
            }
        }

        // Which characters a variable's value can start and end with: a fixpoint over its assignments.
        var edges = assignments.Keys.ToDictionary(n => n, n => parameters.GetValueOrDefault(n) is { } value ? Edges.Of(value) : Edges.None, StringComparer.Ordinal);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (name, assigned) in assignments)
            {
                var merged = assigned.Aggregate(edges[name], (e, c) => e.Union(c.EdgesWith(edges)));
                changed |= merged != edges[name];
                edges[name] = merged;
            }
        }

        return chains.Concat(assignments.Values.SelectMany(a => a)).All(c => c.IsSafe(edges));
    }

    /// <summary>
    /// The chains assigned to <paramref name="name"/> (a variable declared text, or a parameter that must never be
    /// assigned or shadowed) and whether it is declared; false when it is written in any other way.
    /// </summary>
    private static bool AssignmentsOf(List<Token> tokens, string name, bool parameter, out List<Chain> assigned, out bool declared)
    {
        assigned = [];
        declared = false;
        var declaring = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Is("declare"))
            {
                declaring = true;
            }
            else if (tokens[i].Is("begin"))
            {
                declaring = false;
            }

            if (!tokens[i].IsName(name))
            {
                continue;
            }

            if ((i > 0 && tokens[i - 1].Is(".")) || tokens[i + 1].Is(".") || tokens[i + 1].Is("[") || tokens[i + 1].Is("("))
            {
                return false;
            }

            var start = i == 0 || (tokens[i - 1].Kind is TokenKind.Name or TokenKind.Symbol && StatementStarts.Contains(tokens[i - 1].Text));
            if (!start)
            {
                continue;
            }

            if (parameter)
            {
                // A declaration of the same name shadows the parameter, an assignment changes it.
                return false;
            }

            var at = i + 1;
            if (declaring)
            {
                declared = true;
                if (tokens[at].Is("constant"))
                {
                    at++;
                }

                if (!(tokens[at].Kind == TokenKind.Name && TextTypes.Contains(tokens[at].Text)) || tokens[at + 1].Is("("))
                {
                    return false;
                }

                at++;
                if (tokens[at].Is("not") && tokens[at + 1].Is("null"))
                {
                    at += 2;
                }

                if (tokens[at].Is(";"))
                {
                    continue;
                }
            }

            if (!(tokens[at].Is(":=") || tokens[at].Is("=") || (declaring && tokens[at].Is("default"))))
            {
                return false;
            }

            if (ParseChain(tokens, at + 1, out var end) is not { } chain || !tokens[end].Is(";"))
            {
                return false;
            }

            assigned.Add(chain);
        }

        return true;
    }

    /// <summary>A <c>||</c> chain of literals, names and parenthesized chains from <paramref name="at"/>; null when it is anything else.</summary>
    private static Chain? ParseChain(List<Token> tokens, int at, out int end)
    {
        var pieces = new List<object>();
        end = at;
        while (true)
        {
            var token = tokens[end];
            if (token.Kind == TokenKind.Literal)
            {
                if (token.Text.Length == 0 || token.Text.Contains('"', StringComparison.Ordinal))
                {
                    return null;
                }

                pieces.Add(token.Text);
                end++;
            }
            else if (token.Kind == TokenKind.Name)
            {
                pieces.Add(new Reference(token.Text));
                end++;
            }
            else if (token.Is("("))
            {
                if (ParseChain(tokens, end + 1, out var close) is not { } inner || !tokens[close].Is(")"))
                {
                    return null;
                }

                pieces.Add(inner);
                end = close + 1;
            }
            else
            {
                return null;
            }

            if (!tokens[end].Is("||"))
            {
                return new Chain(pieces);
            }

            end++;
        }
    }

    private static List<Token>? Tokenize(string body)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < body.Length)
        {
            var c = body[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(body, i + 1) == '-')
            {
                while (i < body.Length && body[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(body, i + 1) == '*')
            {
                var depth = 0;
                do
                {
                    if (i + 1 >= body.Length)
                    {
                        return null;
                    }

                    if (body[i] == '/' && body[i + 1] == '*')
                    {
                        depth++;
                        i += 2;
                    }
                    else if (body[i] == '*' && body[i + 1] == '/')
                    {
                        depth--;
                        i += 2;
                    }
                    else
                    {
                        i++;
                    }
                }
                while (depth > 0);
            }
            else if (c == '\'')
            {
                var start = i;
                var text = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= body.Length)
                    {
                        return null;
                    }

                    if (body[i] == '\'' && At(body, i + 1) == '\'')
                    {
                        text.Append('\'');
                        i += 2;
                    }
                    else if (body[i] == '\'')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        text.Append(body[i++]);
                    }
                }

                // E'...', U&'...', B'...' and the like: a prefix right before the quote changes what the literal holds.
                var prefixed = tokens.Count > 0 && tokens[^1].End == start && (tokens[^1].Kind == TokenKind.Name || tokens[^1].Is("&"));
                tokens.Add(new Token(prefixed ? TokenKind.Other : TokenKind.Literal, text.ToString(), i));
            }
            else if (c == '"')
            {
                var close = i + 1;
                var name = new System.Text.StringBuilder();
                while (true)
                {
                    if (close >= body.Length)
                    {
                        return null;
                    }

                    if (body[close] == '"' && At(body, close + 1) == '"')
                    {
                        name.Append('"');
                        close += 2;
                    }
                    else if (body[close] == '"')
                    {
                        break;
                    }
                    else
                    {
                        name.Append(body[close++]);
                    }
                }

                i = close + 1;
                tokens.Add(new Token(TokenKind.Name, name.ToString(), i));
            }
            else if (c == '$' && char.IsAsciiDigit(At(body, i + 1)))
            {
                tokens.Add(new Token(TokenKind.Positional, "$", ++i));
            }
            else if (c == '$' && DollarTag(body, i) is { } tag)
            {
                var close = body.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                if (close < 0)
                {
                    return null;
                }

                i = close + tag.Length;
                tokens.Add(new Token(TokenKind.Other, tag, i));
            }
            else if (IsNameStart(c))
            {
                var start = i;
                while (i < body.Length && IsNameChar(body[i]))
                {
                    i++;
                }

                var word = body[start..i].ToLowerInvariant();
                tokens.Add(new Token(TokenKind.Name, word, i));
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < body.Length && (IsNameChar(body[i]) || body[i] == '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Other, "0", i));
            }
            else
            {
                var two = i + 1 < body.Length ? body.Substring(i, 2) : string.Empty;
                var symbol = two is "||" or ":=" or "::" or "<<" or ">>" or "<=" or ">=" or "<>" or "!=" or "=>" ? two : c.ToString();
                i += symbol.Length;
                tokens.Add(new Token(TokenKind.Symbol, symbol, i));
            }
        }

        // End markers, so that looking a few tokens ahead never runs off the list.
        for (var end = 0; end < 4; end++)
        {
            tokens.Add(new Token(TokenKind.Other, string.Empty, body.Length));
        }

        return tokens;
    }

    private static string? DollarTag(string body, int at)
    {
        var end = at + 1;
        while (end < body.Length && body[end] != '$')
        {
            if (!IsNameChar(body[end]) || body[end] == '$')
            {
                return null;
            }

            end++;
        }

        return end < body.Length ? body[at..(end + 1)] : null;
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= 0x80;

    /// <summary>A character that can continue a name (anything outside ASCII counts, to be safe).</summary>
    internal static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' || c >= 0x80;

    private enum TokenKind
    {
        Name,
        Literal,
        Positional,
        Symbol,
        Other,
    }

    private sealed record Token(TokenKind Kind, string Text, int End)
    {
        public bool Is(string text) => Kind is TokenKind.Name or TokenKind.Symbol && Text == text;

        public bool IsName(string name) => Kind == TokenKind.Name && Text == name;
    }

    private sealed record Reference(string Name);

    /// <summary>Whether a value can start (end) with a name character, and whether with another one.</summary>
    private readonly record struct Edges(bool StartsName, bool StartsOther, bool EndsName, bool EndsOther)
    {
        public static readonly Edges None = new(false, false, false, false);

        public static Edges Of(string text) =>
            new(IsNameChar(text[0]), !IsNameChar(text[0]), IsNameChar(text[^1]), !IsNameChar(text[^1]));

        public Edges Union(Edges other) =>
            new(StartsName || other.StartsName, StartsOther || other.StartsOther, EndsName || other.EndsName, EndsOther || other.EndsOther);
    }

    private sealed class Chain(List<object> pieces)
    {
        public IEnumerable<string> Names => pieces.SelectMany(p => p switch
        {
            Reference r => [r.Name],
            Chain c => c.Names,
            _ => Enumerable.Empty<string>(),
        });

        public Edges EdgesWith(Dictionary<string, Edges> known)
        {
            var first = EdgesOf(pieces[0], known);
            var last = EdgesOf(pieces[^1], known);
            return new Edges(first.StartsName, first.StartsOther, last.EndsName, last.EndsOther);
        }

        /// <summary>No two neighbouring pieces can fuse into one name, here or in a parenthesized chain.</summary>
        public bool IsSafe(Dictionary<string, Edges> known)
        {
            for (var i = 0; i < pieces.Count; i++)
            {
                if (pieces[i] is Chain inner && !inner.IsSafe(known))
                {
                    return false;
                }

                if (i > 0 && EdgesOf(pieces[i - 1], known).EndsName && EdgesOf(pieces[i], known).StartsName)
                {
                    return false;
                }
            }

            return true;
        }

        private static Edges EdgesOf(object piece, Dictionary<string, Edges> known) => piece switch
        {
            string literal => Edges.Of(literal),
            Reference r => known.GetValueOrDefault(r.Name, Edges.None),
            Chain c => c.EdgesWith(known),
            _ => Edges.None,
        };
    }
}
