using System.Text.Json.Nodes;

namespace Tcdb.Fns.Tests;

/// <summary>Text every service test reuses because it must travel byte for byte.</summary>
public static class Values
{
    /// <summary>Backslashes (incl. ones that look like escapes), quotes, dollar quotes, unicode beyond the BMP.</summary>
    public const string Tricky = @"C:\new\table \\server\share \x41 \u00e9 'single' ""double"" $$ ✓ 日本語 🐘";

    /// <summary>A JSON document holding <see cref="Tricky"/> as a value and as a key.</summary>
    public static JsonObject TrickyJson() => new() { ["text"] = Tricky, [Tricky] = new JsonArray("\\", "\u00e9", "🐘") };
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
