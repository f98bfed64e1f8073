using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Tcdb.Versions.Tests.Support;

/// <summary>JSON equality as jsonb sees it (key order and whitespace do not matter), for values read back from PostgreSQL.</summary>
public static class Json
{
    /// <summary>Parses a jsonb value as Npgsql returns it (a string).</summary>
    public static JsonNode? Parse(object? value) => value switch
    {
        null => null,
        string text => JsonNode.Parse(text),
        _ => throw new ArgumentException($"expected a jsonb value (string), got {value.GetType().Name}", nameof(value)),
    };

    /// <summary>Asserts <paramref name="actual"/> (jsonb text) is the JSON value <paramref name="expected"/>.</summary>
    public static void AssertSame(object? actual, string expected, string what)
    {
        var actualNode = Parse(actual);
        var expectedNode = JsonNode.Parse(expected);
        Assert.That(
            JsonNode.DeepEquals(actualNode, expectedNode),
            Is.True,
            $"{what}:{Environment.NewLine}  expected {expectedNode?.ToJsonString()}{Environment.NewLine}  but was  {actualNode?.ToJsonString()}");
    }

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A compact JSON text of <paramref name="node"/> as JSON.stringify writes it (unicode unescaped).</summary>
    public static string Text(JsonNode node) => node.ToJsonString(Compact);

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
