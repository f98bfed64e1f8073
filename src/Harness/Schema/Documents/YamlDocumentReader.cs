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
    /// <summary>The root node, or null when the file is empty or cannot be parsed (errors were recorded).</summary>
    public static DocNode? Read(string path, string text, ErrorList errors)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, DocNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, path, anchors, errors);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                errors.Add(At(path, second.Start), "a second YAML document (---) starts here; expected exactly one document per file");
                return null;
            }

            return root;
        }
        catch (YamlException e)
        {
            errors.Add(At(path, e.Start), $"invalid YAML: {Clean(e.Message)}");
            return null;
        }
    }

    private static DocNode ReadNode(IParser parser, string path, Dictionary<string, DocNode> anchors, ErrorList errors)
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
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, path, anchors, errors));
            }

            node = new DocSequence(items, At(path, sequenceStart.Start));
            anchor = sequenceStart.Anchor.IsEmpty ? string.Empty : sequenceStart.Anchor.Value;
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            var entries = new List<KeyValuePair<DocScalar, DocNode>>();
            var seen = new Dictionary<string, DocScalar>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, path, anchors, errors);
                var value = ReadNode(parser, path, anchors, errors);
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

            node = new DocMapping(entries, At(path, mappingStart.Start));
            anchor = mappingStart.Anchor.IsEmpty ? string.Empty : mappingStart.Anchor.Value;
        }

        if (!string.IsNullOrEmpty(anchor))
        {
            anchors[anchor] = node;
        }

        return node;
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
