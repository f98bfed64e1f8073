using System.Text.Json.Nodes;

namespace Tcdb.Fns.Tests;

/// <summary>Values every service test reuses: text that must travel byte for byte, times, JSON reading.</summary>
public static class Values
{
    /// <summary>Backslashes (incl. ones that look like escapes), quotes, dollar quotes, unicode beyond the BMP.</summary>
    public const string Tricky = @"C:\new\table \\server\share \x41 \u00e9 'single' ""double"" $$ ✓ 日本語 🐘";

    /// <summary>A JSON document holding <see cref="Tricky"/> as a value and as a key.</summary>
    public static JsonObject TrickyJson() => new() { ["text"] = Tricky, [Tricky] = new JsonArray("\\", "\u00e9", "🐘") };

    /// <summary>Now, truncated to milliseconds (what JavaScript dates keep), in UTC.</summary>
    public static DateTime Now() => Truncate(DateTime.UtcNow);

    public static DateTime Truncate(DateTime time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>A returned jsonb (Npgsql gives its text) as a node.</summary>
    public static JsonNode? Json(object? value) => value is null ? null : JsonNode.Parse((string)value);

    /// <summary>Whether a returned jsonb holds the same document as <paramref name="expected"/> (object keys in any order).</summary>
    public static bool SameJson(object? value, JsonNode expected) => JsonNode.DeepEquals(Json(value), expected);

    /// <summary>JavaScript's Date.toJSON form, as the entity values store times.</summary>
    public static string JsIso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Taskcluster ids: 22-character url-safe base64 of 16 bytes.</summary>
internal static class Slugs
{
    /// <summary>A random slugid.</summary>
    public static string New() => Encode(Guid.NewGuid().ToByteArray());

    /// <summary>
    /// The same slugid for the same n, whose first character is the n-th capital letter (n &lt; 26), so ids sort
    /// by n in any collation.
    /// </summary>
    public static string Ordered(int n)
    {
        var bytes = Enumerable.Repeat((byte)(n * 37 + 11), 16).ToArray();
        bytes[0] = (byte)((n % 26) << 2);
        return Encode(bytes);
    }

    /// <summary>The uuid a slugid encodes, in PostgreSQL's text form (what <c>slugid_to_uuid</c> gives).</summary>
    public static string ToUuid(string slug)
    {
        var hex = Convert.ToHexStringLower(Convert.FromBase64String(slug.Replace('-', '+').Replace('_', '/') + "=="));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Entity buffers: a value split into base64 chunks under <c>__buf&lt;i&gt;_&lt;name&gt;</c>.</summary>
internal static class EntityBuffers
{
    public static JsonObject With(JsonObject properties, string name, string text)
    {
        properties["__bufchunks_" + name] = 1;
        properties["__buf0_" + name] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
        return properties;
    }
}
