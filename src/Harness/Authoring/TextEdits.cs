using Tcdb.Schema;

namespace Tcdb.Authoring;

/// <summary>A replacement of one scalar's text at the place the YAML reader found it.</summary>
/// <param name="Location">The scalar's 1-based line and column (of the opening quote for quoted scalars).</param>
/// <param name="OldText">The scalar's value, which must be found there verbatim.</param>
/// <param name="NewText">What replaces it.</param>
internal sealed record TextEdit(SourceLocation Location, string OldText, string NewText);

/// <summary>Applies <see cref="TextEdit"/>s to a file's text, leaving every other byte (comments, layout) as it was.</summary>
internal static class TextEdits
{
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var positioned = edits.Select(edit => (Index: Find(text, lineStarts, edit), Edit: edit)).OrderByDescending(e => e.Index).ToList();
        foreach (var (index, edit) in positioned)
        {
            text = string.Concat(text.AsSpan(0, index), edit.NewText, text.AsSpan(index + edit.OldText.Length));
        }

        return text;
    }

    private static int Find(string text, List<int> lineStarts, TextEdit edit)
    {
        var (line, column) = (edit.Location.Line, edit.Location.Column);
        if (line >= 1 && line <= lineStarts.Count && column >= 1)
        {
            var index = lineStarts[line - 1] + column - 1;
            foreach (var candidate in new[] { index, index + 1 })
            {
                if (candidate + edit.OldText.Length <= text.Length && string.CompareOrdinal(text, candidate, edit.OldText, 0, edit.OldText.Length) == 0
                    && (candidate == index || text[index] is '\'' or '"'))
                {
                    return candidate;
                }
            }
        }

        throw new AuthoringException($"{edit.Location}: expected '{edit.OldText}' here and could not find it; edit this value by hand");
    }
}
