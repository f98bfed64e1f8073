using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tcdb.Schema.Documents;

/// <summary>
/// Reads one YAML file into <see cref="DocNode"/>s the way Taskcluster's js-yaml does: a single document,
/// the YAML 1.2 core schema for plain scalars, and duplicate mapping keys rejected at every level
/// (all of them reported, each with the line of the first occurrence).
/// </summary>
internal static partial class YamlDocumentReader
{
    /// <summary>Reads and parses a YAML file; a file that cannot be read is an error naming it and what it is.</summary>
    public static DocNode? ReadFile(string path, ErrorList errors, string what)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, System.Text.Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new SourceLocation(path, 0, 0), $"{what} cannot be read ({e.Message})");
            return null;
        }

        return Read(path, text, errors);
    }

    /// <summary>The root node, or null when the file is empty or cannot be parsed (errors were recorded).</summary>
    public static DocNode? Read(string path, string text, ErrorList errors)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, DocNode>(StringComparer.Ordinal);
        var open = new Stack<(char Bracket, Mark Start)>();
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, path, anchors, open, errors);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                errors.Add(At(path, second.Start), "a second YAML document (---) starts here; expected exactly one document per file");
                return null;
            }

            return root;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // The parser's position is where it gave up, often lines after the cause: name the cause when it is known.
            var mark = (e as YamlException)?.Start ?? parser.Current?.End ?? Mark.Empty;
            if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && TabIndentedLine(text, (int)mark.Line) is { } tab)
            {
                errors.Add(new SourceLocation(path, tab, 1), "invalid YAML: a tab character indents this line; YAML indents with spaces only");
            }
            else if (InnermostOpenFlow(parser, open) is var (bracket, start) && (e is InvalidOperationException || e.Message.Contains("did not find expected", StringComparison.Ordinal)))
            {
                errors.Add(At(path, start), $"invalid YAML: the {bracket} opened here is never closed; expected {(bracket == '[' ? ']' : '}')} (or quote the value if it is text)");
            }
            else
            {
                errors.Add(At(path, mark), $"invalid YAML: {(e is YamlException ? Clean(e.Message) : "the parser cannot continue here")}");
            }

            return null;
        }
    }

    /// <summary>The innermost [ or { not yet closed: the event being consumed when the parser failed, or the stack's top.</summary>
    private static (char Bracket, Mark Start)? InnermostOpenFlow(IParser parser, Stack<(char Bracket, Mark Start)> open) => parser.Current switch
    {
        SequenceStart { Style: SequenceStyle.Flow } s => ('[', s.Start),
        MappingStart { Style: MappingStyle.Flow } m => ('{', m.Start),
        _ => open.Count > 0 ? open.Peek() : null,
    };

    /// <summary>The first line at or after <paramref name="fromLine"/> (1-based) whose indentation holds a tab, when the parser complained about a tab.</summary>
    private static int? TabIndentedLine(string text, int fromLine)
    {
        var lines = text.Split('\n');
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            var line = lines[i];
            var indentation = line.Length - line.TrimStart(' ', '\t').Length;
            if (line.Trim().Length > 0 && line.AsSpan(0, indentation).Contains('\t'))
            {
                return i + 1;
            }
        }

        return null;
    }

    private static DocNode ReadNode(IParser parser, string path, Dictionary<string, DocNode> anchors, Stack<(char Bracket, Mark Start)> open, ErrorList errors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"unknown alias *{alias.Value.Value}");
        }

        DocNode node;
        string anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = ToScalar(scalar, path);
            anchor = scalar.Anchor.IsEmpty ? string.Empty : scalar.Anchor.Value;
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<DocNode>();
            Open(open, sequenceStart.Style == SequenceStyle.Flow, '[', sequenceStart.Start);
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, path, anchors, open, errors));
            }

            Close(open, sequenceStart.Style == SequenceStyle.Flow);

            node = new DocSequence(items, At(path, sequenceStart.Start));
            anchor = sequenceStart.Anchor.IsEmpty ? string.Empty : sequenceStart.Anchor.Value;
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            var entries = new List<KeyValuePair<DocScalar, DocNode>>();
            var seen = new Dictionary<string, DocScalar>(StringComparer.Ordinal);
            Open(open, mappingStart.Style == MappingStyle.Flow, '{', mappingStart.Start);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, path, anchors, open, errors);
                var value = ReadNode(parser, path, anchors, open, errors);
                if (keyNode is not DocScalar key)
                {
                    errors.Add(keyNode.Location, $"a mapping key must be a plain name, found {keyNode.Describe()}");
                    continue;
                }

                if (seen.TryGetValue(key.Value, out var first))
                {
                    errors.Add(key.Location, $"duplicate key '{key.Value}': it is already defined at line {first.Location.Line}; expected each key once per mapping");
                    continue;
                }

                seen.Add(key.Value, key);
                entries.Add(new KeyValuePair<DocScalar, DocNode>(key, value));
            }

            Close(open, mappingStart.Style == MappingStyle.Flow);
            node = new DocMapping(entries, At(path, mappingStart.Start));
            anchor = mappingStart.Anchor.IsEmpty ? string.Empty : mappingStart.Anchor.Value;
        }

        if (!string.IsNullOrEmpty(anchor))
        {
            anchors[anchor] = node;
        }

        return node;
    }

    private static void Open(Stack<(char Bracket, Mark Start)> open, bool flow, char bracket, Mark start)
    {
        if (flow)
        {
            open.Push((bracket, start));
        }
    }

    private static void Close(Stack<(char Bracket, Mark Start)> open, bool flow)
    {
        if (flow)
        {
            open.Pop();
        }
    }

    private static DocScalar ToScalar(Scalar scalar, string path)
    {
        var location = At(path, scalar.Start);
        var content = scalar.Style switch
        {
            ScalarStyle.Literal or ScalarStyle.Folded => location with { Line = location.Line + 1, Column = 1 },
            ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted => location with { Column = location.Column + 1 },
            _ => location,
        };
        return new DocScalar(scalar.Value, Resolve(scalar), location, content);
    }

    /// <summary>Plain scalars follow the YAML 1.2 core schema; quoted and block scalars are strings.</summary>
    private static ScalarKind Resolve(Scalar scalar)
    {
        var tag = scalar.Tag.IsEmpty ? string.Empty : scalar.Tag.Value;
        if (tag == "tag:yaml.org,2002:str" || (scalar.Style != ScalarStyle.Plain && scalar.Style != ScalarStyle.Any))
        {
            return ScalarKind.String;
        }

        var text = scalar.Value;
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return ScalarKind.Null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return ScalarKind.Boolean;
        }

        if (IntegerPattern().IsMatch(text))
        {
            return ScalarKind.Integer;
        }

        return FloatPattern().IsMatch(text) ? ScalarKind.Float : ScalarKind.String;
    }

    private static SourceLocation At(string path, Mark mark) => new(path, (int)mark.Line, (int)mark.Column);

    /// <summary>YamlDotNet messages start with "(Line: .., Col: ..)"; the location is printed separately.</summary>
    private static string Clean(string message) => MarkPrefix().Replace(message, string.Empty).Trim();

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex MarkPrefix();
}
