using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Bogus;

namespace Tcdb.Seeding.Shapes;

/// <summary>
/// Seed rules that give columns the shape their SQL expects: a jsonb document with every inferred key
/// holding a value that survives its cast, text made of the parts a <c>split_part</c> takes apart, a slugid
/// where one is decoded, a key equal to another column of the row where SQL compares them. Every value is
/// a function of the table, the column and the row number (<see cref="Faker.IndexFaker"/>, which the
/// seeder sets for each row), so two columns of one row agree and values that become keys are unique;
/// text values mix in hostile text (quotes, backslashes, unicode) wherever the shape leaves room.
/// </summary>
public static class ShapedValues
{
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly string[] Words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua".Split(' ');

    // Hostile text that survives being a JSON string, a split part and a key: no separators, no NUL.
    private static readonly string[] Flavours = ["", "it's", "\"q\"", "back\\slash", "café", "日本", "😀", "tab\tx", "line\nbreak", "$$", "%_"];

    /// <summary>
    /// Rules for the columns of <paramref name="table"/> that <paramref name="shapes"/> knows, by column name;
    /// <paramref name="columnTypes"/> gives each column's type (<c>jsonb</c>, <c>json</c>, <c>text</c>, ...):
    /// only jsonb/json and text columns get rules. <paramref name="seed"/> varies the values as the generic seed does.
    /// </summary>
    public static Dictionary<string, Func<Faker, object?>> RulesFor(SqlShapes shapes, string table, IReadOnlyDictionary<string, string> columnTypes, int seed = 1)
    {
        var rules = new Dictionary<string, Func<Faker, object?>>(StringComparer.Ordinal);
        var row = new RowValues(shapes, table, seed);
        var referenced = columnTypes.Where(c => c.Value is "jsonb" or "json")
            .SelectMany(c => shapes.Find(table, c.Key) is { } shape ? References(shape) : [])
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (column, type) in columnTypes)
        {
            var shape = shapes.Find(table, column);
            if (type is "jsonb" or "json")
            {
                if (shape is { Kind: ShapeKind.Object or ShapeKind.Array })
                {
                    rules[column] = faker => row.Document(shape, faker.IndexFaker).ToJsonString();
                }
            }
            else if (type is "text" or "character varying" &&
                (referenced.Contains(column) || shape is { Prefix: not null } or { Unique: true } || shape is { Kind: not (ShapeKind.Object or ShapeKind.Array or ShapeKind.Any or ShapeKind.Text) }))
            {
                rules[column] = faker => row.Column(column, faker.IndexFaker);
            }
        }

        return rules;
    }

    /// <summary>A slugid: the uuid's 16 bytes in url-safe base64 without padding (22 characters).</summary>
    public static string Slugid(Guid uuid)
    {
        var bytes = uuid.ToByteArray(bigEndian: true);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static IEnumerable<string> References(ValueShape shape) =>
        (shape.EqualsColumn is { } column ? [column] : Array.Empty<string>())
            .Concat(shape.Keys.Values.SelectMany(References))
            .Concat(shape.Element is null ? [] : References(shape.Element));

    /// <summary>The values of one table's rows, each a function of column and row number.</summary>
    private sealed class RowValues(SqlShapes shapes, string table, int seed)
    {
        public string Column(string column, int row)
        {
            var shape = shapes.Find(table, column) ?? new ValueShape();
            return Scalar(shape, row, Random(column, row));
        }

        public JsonNode Document(ValueShape shape, int row)
        {
            if (shape.Kind == ShapeKind.Array)
            {
                return new JsonObject { ["items"] = Value(shape, row, Random("document", row)) };
            }

            var value = Value(shape, row, Random("document", row));
            return value as JsonObject ?? new JsonObject { ["value"] = value };
        }

        private JsonNode? Value(ValueShape shape, int row, Randomizer random)
        {
            if (shape.EqualsColumn is { } column)
            {
                var text = Column(column, row);
                if (shape.EqualsPart is { } part && shapes.Find(table, column) is { Separator: { } separator })
                {
                    var parts = text.Split(separator);
                    text = part <= parts.Length ? parts[part - 1] : string.Empty;
                }

                return text;
            }

            if (shape.JsonString && shape.Kind is not (ShapeKind.Object or ShapeKind.Array))
            {
                return Scalar(shape, row, random);
            }

            switch (shape.Kind)
            {
                case ShapeKind.Object:
                    var value = new JsonObject();
                    foreach (var (key, child) in shape.Keys.Where(k => shape.ExactKeys is null || shape.ExactKeys.Contains(k.Key)))
                    {
                        value[key] = Value(child, row, random);
                    }

                    // A document compared as a whole has room for no other key.
                    foreach (var (name, content) in shape.ExactKeys is null ? shape.Buffers : [])
                    {
                        // Taskcluster's entity buffer: the text, base64-encoded, in chunks named after the key.
                        var text = content.Kind switch
                        {
                            ShapeKind.Array => new JsonArray(Value(content.Element ?? new ValueShape(), row, random)).ToJsonString(),
                            ShapeKind.Object or ShapeKind.Any => Value(Objectish(content), row, random)!.ToJsonString(),
                            _ => Scalar(content, row, random),
                        };
                        value["__bufchunks_" + name] = 1;
                        value["__buf0_" + name] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
                    }

                    if (value.Count == 0 && shape.ExactKeys is null)
                    {
                        value["row"] = row;
                        value["text"] = Flavoured("value", row);
                    }

                    return value;
                case ShapeKind.Array:
                    var element = shape.Element ?? new ValueShape();
                    return new JsonArray(Value(element, row, random), Value(element, row + 100_000, random));
                case ShapeKind.Integer:
                    return row + 1;
                case ShapeKind.Number:
                    return row + 0.5;
                case ShapeKind.Boolean:
                    return row % 2 == 0;
                case ShapeKind.Any:
                case ShapeKind.Text when shape.Prefix is null:
                    return Flavoured(Words[random.Number(Words.Length - 1)], row);
                default:
                    return Scalar(shape, row, random);
            }
        }

        private static ValueShape Objectish(ValueShape shape)
        {
            if (shape.Kind == ShapeKind.Object)
            {
                return shape;
            }

            var objectShape = new ValueShape();
            objectShape.Require(ShapeKind.Object);
            return objectShape;
        }

        private readonly Dictionary<string, int> columnSeeds = new(StringComparer.Ordinal);

        /// <summary>A randomizer for one column of one row: the same column and row always give the same values.</summary>
        private Randomizer Random(string column, int row)
        {
            if (!columnSeeds.TryGetValue(column, out var columnSeed))
            {
                columnSeeds[column] = columnSeed = Seeds.For(seed, table, column);
            }

            return new Randomizer(unchecked((columnSeed * 1_000_003) ^ row) & 0x7fffffff);
        }
    }

    /// <summary>The text of a scalar shape (what <c>-&gt;&gt;</c> or a text column holds).</summary>
    private static string Scalar(ValueShape shape, int row, Randomizer random)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Integer:
                return (row + 1).ToString(CultureInfo.InvariantCulture);
            case ShapeKind.Number:
                return (row + 0.5).ToString(CultureInfo.InvariantCulture);
            case ShapeKind.Boolean:
                return row % 2 == 0 ? "true" : "false";
            case ShapeKind.Timestamp:
                // JavaScript's Date.toJSON form, as Taskcluster services write it.
                return Epoch.AddMinutes(row * 7 + random.Number(0, 6)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            case ShapeKind.Uuid:
                return RowGuid(row, random).ToString();
            case ShapeKind.Slugid:
                return Slugid(RowGuid(row, random));
            case ShapeKind.Constant:
                return shape.TypeName!;
            case ShapeKind.Enum when shape.Labels.Count > 0:
                return shape.Labels[row % shape.Labels.Count];
            case ShapeKind.Parts:
                var count = shape.Parts.Keys.DefaultIfEmpty(1).Max();
                var parts = Enumerable.Range(1, count).Select(i => shape.Parts.TryGetValue(i, out var part) && !part.IsEmpty
                    ? Scalar(part, row, random)
                    : Flavoured(Words[random.Number(Words.Length - 1)], row).Replace(shape.Separator!, string.Empty, StringComparison.Ordinal));
                return string.Join(shape.Separator, parts);
            default:
                var text = Flavoured(Words[random.Number(Words.Length - 1)], row);
                return shape.Prefix is null ? text : shape.Prefix + text;
        }
    }

    /// <summary>
    /// A unique word for the row, with a hostile flavour on most rows. Words and flavours hold no separator
    /// (<c>/</c>, <c>~</c>, <c>:</c>), so none sneaks into a part of split text.
    /// </summary>
    private static string Flavoured(string word, int row) =>
        string.Concat(word, row.ToString(CultureInfo.InvariantCulture), Flavours[row % Flavours.Length]);

    private static Guid RowGuid(int row, Randomizer random)
    {
        var bytes = random.Bytes(16);
        BitConverter.GetBytes(row).CopyTo(bytes, 0);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
