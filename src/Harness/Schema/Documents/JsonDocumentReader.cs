using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tcdb.Schema.Documents;

/// <summary>
/// Reads a JSON text into <see cref="DocNode"/>s with line and column of every value, rejecting duplicate
/// property names, so a serialized schema is validated by the same readers as a directory.
/// </summary>
internal static partial class JsonDocumentReader
{
    public static DocNode? Read(string path, string text, ErrorList errors)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var newlines = new List<long>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                newlines.Add(i);
            }
        }

        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                errors.Add(new SourceLocation(path, 1, 1), "the file is empty; expected a JSON object with access, tables and versions");
                return null;
            }

            var root = ReadValue(ref reader, path, newlines, errors);
            if (reader.Read())
            {
                errors.Add(At(path, newlines, reader.TokenStartIndex), "unexpected content after the JSON value; expected a single object");
            }

            return root;
        }
        catch (JsonException e)
        {
            errors.Add(new SourceLocation(path, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1), $"invalid JSON: {Clean(e.Message)}");
            return null;
        }
    }

    private static DocNode ReadValue(ref Utf8JsonReader reader, string path, List<long> newlines, ErrorList errors)
    {
        var location = At(path, newlines, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<DocScalar, DocNode>>();
                var seen = new Dictionary<string, DocScalar>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = new DocScalar(reader.GetString()!, ScalarKind.String, At(path, newlines, reader.TokenStartIndex), At(path, newlines, reader.TokenStartIndex));
                    reader.Read();
                    var value = ReadValue(ref reader, path, newlines, errors);
                    if (seen.TryGetValue(key.Value, out var first))
                    {
                        errors.Add(key.Location, $"duplicate key '{key.Value}': it is already defined at line {first.Location.Line}; expected each key once per object");
                        continue;
                    }

                    seen.Add(key.Value, key);
                    entries.Add(new(key, value));
                }

                return new DocMapping(entries, location);
            case JsonTokenType.StartArray:
                var items = new List<DocNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, path, newlines, errors));
                }

                return new DocSequence(items, location);
            case JsonTokenType.String:
                return new DocScalar(reader.GetString()!, ScalarKind.String, location, location with { Column = location.Column + 1 });
            case JsonTokenType.Number:
                var number = Encoding.UTF8.GetString(reader.ValueSpan);
                return new DocScalar(number, IntegerPattern().IsMatch(number) ? ScalarKind.Integer : ScalarKind.Float, location, location);
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new DocScalar(reader.TokenType == JsonTokenType.True ? "true" : "false", ScalarKind.Boolean, location, location);
            default:
                return new DocScalar(string.Empty, ScalarKind.Null, location, location);
        }
    }

    private static SourceLocation At(string path, List<long> newlines, long offset)
    {
        var index = newlines.BinarySearch(offset);
        var before = index >= 0 ? index : ~index;
        var lineStart = before == 0 ? 0 : newlines[before - 1] + 1;
        return new SourceLocation(path, before + 1, (int)(offset - lineStart) + 1);
    }

    private static string Clean(string message) => LineSuffix().Replace(message, string.Empty).Trim();

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"\s*(Path: .*)?\| LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial Regex LineSuffix();
}
