using Tcdb.Schema;

namespace Tcdb.Policy;

/// <summary>
/// Helpers to look at SQL text without being fooled by comments and string literals: <see cref="Code"/> blanks
/// them out (keeping quotes, newlines and offsets), so patterns match only code and offsets map back to lines.
/// </summary>
internal static class SqlScan
{
    /// <summary>What <see cref="ScriptCode"/> reads in place of the placeholder: the same length, so offsets into the code are offsets into the script.</summary>
    internal const string MaskedPrefix = "_db_user_prefix_";

    /// <summary>
    /// <see cref="Code"/> of a migration or downgrade script. The migrator replaces the <c>$db_user_prefix$</c>
    /// placeholder before the script runs, so there it is part of an identifier, not a dollar quote: read as one, two
    /// placeholders would hide every statement between them.
    /// </summary>
    public static string ScriptCode(string script) => Code(script.Replace(RolePrefix.Placeholder, MaskedPrefix, StringComparison.Ordinal));

    /// <summary>
    /// <paramref name="sql"/> lower-cased, with the content of comments, '...' / E'...' literals and
    /// dollar-quoted strings replaced by spaces. Same length, same newlines.
    /// </summary>
    public static string Code(string sql)
    {
        var code = sql.ToLowerInvariant().ToCharArray();
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '-' && Next(i) == '-')
            {
                var end = sql.IndexOf('\n', i);
                Blank(i, end < 0 ? code.Length : end);
                i = end < 0 ? code.Length : end;
            }
            else if (c == '/' && Next(i) == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                var stop = end < 0 ? code.Length : end + 2;
                Blank(i, stop);
                i = stop;
            }
            else if (c == '\'')
            {
                var escapes = i > 0 && code[i - 1] == 'e' && (i < 2 || !char.IsLetterOrDigit(code[i - 2]) && code[i - 2] != '_');
                var j = i + 1;
                while (j < code.Length)
                {
                    if (escapes && code[j] == '\\')
                    {
                        j += 2;
                        continue;
                    }

                    if (code[j] == '\'')
                    {
                        if (j + 1 < code.Length && code[j + 1] == '\'')
                        {
                            j += 2;
                            continue;
                        }

                        break;
                    }

                    j++;
                }

                Blank(i + 1, Math.Min(j, code.Length));
                i = j + 1;
            }
            else if (c == '$' && DollarTag(i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                var stop = end < 0 ? code.Length : end + tag.Length;
                Blank(i + tag.Length, end < 0 ? code.Length : end);
                i = stop;
            }
            else
            {
                i++;
            }
        }

        return new string(code);

        char Next(int at) => at + 1 < code.Length ? code[at + 1] : '\0';

        void Blank(int from, int to)
        {
            for (var k = from; k < to && k < code.Length; k++)
            {
                if (code[k] != '\n')
                {
                    code[k] = ' ';
                }
            }
        }

        string? DollarTag(int at)
        {
            if (at > 0 && (char.IsLetterOrDigit(sql[at - 1]) || sql[at - 1] == '_'))
            {
                return null;
            }

            var j = at + 1;
            while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_'))
            {
                j++;
            }

            return j < sql.Length && sql[j] == '$' && (j == at + 1 || !char.IsDigit(sql[at + 1])) ? sql[at..(j + 1)] : null;
        }
    }

    /// <summary>The location of character <paramref name="offset"/> of a text that starts at <paramref name="start"/>.</summary>
    public static SourceLocation? At(SourceLocation? start, string text, int offset)
    {
        if (start is not { } s)
        {
            return null;
        }

        var lines = 0;
        for (var k = 0; k < offset && k < text.Length; k++)
        {
            if (text[k] == '\n')
            {
                lines++;
            }
        }

        return s with { Line = s.Line + lines, Column = lines == 0 ? s.Column : 1 };
    }
}
