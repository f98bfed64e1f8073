using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Tcdb.Tests.Support;

/// <summary>JSON as jsonb sees it (key order and whitespace do not matter), for values written to and read back from PostgreSQL.</summary>
public static class Json
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses a jsonb value as Npgsql returns it (its text); null stays null.</summary>
    public static JsonNode? Parse(object? value) => value switch
    {
        null => null,
        string text => JsonNode.Parse(text),
        _ => throw new ArgumentException($"expected a jsonb value (string), got {value.GetType().Name}", nameof(value)),
    };

    /// <summary>Whether a returned jsonb holds the same document as <paramref name="expected"/>.</summary>
    public static bool Same(object? value, JsonNode? expected) => JsonNode.DeepEquals(Parse(value), expected);

    /// <summary>Asserts that <paramref name="actual"/> (jsonb text) is the document <paramref name="expected"/>, showing both when not.</summary>
    public static void AssertSame(object? actual, JsonNode? expected, string what)
    {
        var actualNode = Parse(actual);
        Assert.That(
            JsonNode.DeepEquals(actualNode, expected),
            Is.True,
            $"{what}:{Environment.NewLine}  expected {expected?.ToJsonString(Compact)}{Environment.NewLine}  but was  {actualNode?.ToJsonString(Compact)}");
    }

    /// <summary>Asserts that <paramref name="actual"/> (jsonb text) is the document written as <paramref name="expected"/>.</summary>
    public static void AssertSame(object? actual, string expected, string what) => AssertSame(actual, JsonNode.Parse(expected), what);

    /// <summary>A compact JSON text of <paramref name="node"/> as JSON.stringify writes it (unicode unescaped).</summary>
    public static string Text(JsonNode node) => node.ToJsonString(Compact);

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
