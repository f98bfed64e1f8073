using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tcdb.Schema;

namespace Tcdb.Authoring;

/// <summary>
/// Generates <c>db/fns.md</c>, the reference of every stored function at the latest version: grouped by service,
/// each method with its mode, arguments, return type, description, the version that last defined it and its body;
/// deprecated methods listed separately per service. The output depends only on the schema: "\n" line endings,
/// no dates, and names sorted by <see cref="NameOrder"/>, the same on every machine and culture.
/// </summary>
public static partial class FunctionDocs
{
    /// <summary>The file name <c>tcdb docs</c> writes in the db directory.</summary>
    public const string FileName = "fns.md";

    /// <summary>The command that regenerates the file, named in its header and in staleness messages.</summary>
    public const string RegenerateCommand = "tcdb docs";

    /// <summary>
    /// Name order: '_' sorts before digits and letters (so <c>get_group_size</c> precedes <c>get_group2</c>, as a reader
    /// expects), otherwise ordinal. Fixed rules, never the current culture.
    /// </summary>
    public static IComparer<string> NameOrder { get; } = Comparer<string>.Create((a, b) =>
    {
        var byKey = string.CompareOrdinal(a.Replace('_', '\u0001'), b.Replace('_', '\u0001'));
        return byKey != 0 ? byKey : string.CompareOrdinal(a, b);
    });

    /// <summary>The complete text of fns.md for <paramref name="schema"/>.</summary>
    public static string Generate(DbSchema schema)
    {
        var methods = schema.EffectiveMethods();
        var services = methods
            .GroupBy(m => m.Definition.ServiceName ?? "(no service)", StringComparer.Ordinal)
            .OrderBy(g => g.Key, NameOrder)
            .Select(g => (Service: g.Key,
                Active: g.Where(m => !m.Deprecated).OrderBy(m => m.Name, NameOrder).ToList(),
                Deprecated: g.Where(m => m.Deprecated).OrderBy(m => m.Name, NameOrder).ToList()))
            .ToList();

        var md = new Markdown();
        md.Line("# Stored functions");
        md.Line();
        md.Line($"<!-- Generated from versions/ by `{RegenerateCommand}`; do not edit by hand. -->");
        md.Line();
        md.Line(methods.Count == 0
            ? "The database has no stored functions yet."
            : $"Every stored function at version {schema.LatestVersion}, by owning service. Services call them through the database client; nothing else touches the tables.");
        md.Line();
        foreach (var (service, active, deprecated) in services)
        {
            md.Line($"* [{service}](#{Anchor(service)}){Count(active.Count, deprecated.Count)}");
            foreach (var method in active)
            {
                md.Line($"  * [`{method.Name}`](#{Anchor(method.Name)})");
            }
        }

        foreach (var (service, active, deprecated) in services)
        {
            md.Line();
            md.Line($"## {service}");
            foreach (var method in active)
            {
                md.Line();
                WriteMethod(md, method);
            }

            if (deprecated.Count > 0)
            {
                md.Line();
                md.Line($"### Deprecated methods of {service}");
                md.Line();
                md.Line("Kept in the database for older service versions; new code must not call them.");
                md.Line();
                foreach (var method in deprecated)
                {
                    md.Line($"* `{method.Name}({OneLine(method.Definition.Args)})`: deprecated since version {DeprecatedSince(schema, method.Name)}, last defined in version {method.DefinedInVersion}");
                }
            }
        }

        return md.ToString();
    }

    /// <summary>
    /// Whether <paramref name="path"/> holds exactly what <see cref="Generate"/> produces; when not, <paramref name="problem"/>
    /// says why (missing, or the first line that differs).
    /// </summary>
    public static bool IsUpToDate(DbSchema schema, string path, out string problem)
    {
        var expected = Generate(schema);
        if (!File.Exists(path))
        {
            problem = $"{path} does not exist";
            return false;
        }

        var actual = File.ReadAllText(path, Encoding.UTF8);
        if (actual == expected)
        {
            problem = string.Empty;
            return true;
        }

        var actualLines = actual.Split('\n');
        var expectedLines = expected.Split('\n');
        var line = 0;
        while (line < actualLines.Length && line < expectedLines.Length && actualLines[line] == expectedLines[line])
        {
            line++;
        }

        var wanted = line < expectedLines.Length ? $"'{Shorten(expectedLines[line])}'" : "the end of the file";
        var found = line < actualLines.Length ? $"'{Shorten(actualLines[line])}'" : "the end of the file";
        problem = $"{path}:{line + 1}: out of date with versions/: expected {wanted}, found {found}";
        return false;
    }

    private static void WriteMethod(Markdown md, EffectiveMethod method)
    {
        var definition = method.Definition;
        md.Line($"### {method.Name}");
        md.Line();
        md.Line($"* Mode: {(definition.Mode == MethodMode.Read ? "read" : "write")}");
        var args = MethodArguments.SplitTopLevel(OneLine(definition.Args)).ToList();
        if (args.Count == 0)
        {
            md.Line("* Arguments: none");
        }
        else
        {
            md.Line("* Arguments:");
            foreach (var arg in args)
            {
                md.Line($"  * `{arg}`");
            }
        }

        var returns = OneLine(definition.Returns);
        if (TableReturn().Match(returns) is { Success: true } table)
        {
            md.Line("* Returns: a table of");
            foreach (var column in MethodArguments.SplitTopLevel(table.Groups[1].Value))
            {
                md.Line($"  * `{column}`");
            }
        }
        else
        {
            md.Line($"* Returns: `{returns}`");
        }

        md.Line($"* Last defined in version: {method.DefinedInVersion}");
        md.Line();
        var description = Normalize(definition.Description ?? string.Empty).Trim('\n');
        md.Line(description.Length == 0 ? "(no description)" : description);
        md.Line();
        var body = Normalize(definition.Body ?? string.Empty).TrimEnd('\n');
        var fence = new string('`', Math.Max(3, LongestBacktickRun(body) + 1));
        md.Line("<details><summary>Body</summary>");
        md.Line();
        md.Line(fence + "sql");
        md.Line(body);
        md.Line(fence);
        md.Line();
        md.Line("</details>");
    }

    /// <summary>The first version from which every entry of the method is deprecated (the flag is per entry, not sticky).</summary>
    private static int DeprecatedSince(DbSchema schema, string name)
    {
        var since = schema.LatestVersion;
        for (var v = schema.LatestVersion; v >= 1; v--)
        {
            if (schema.GetVersion(v).FindMethod(name) is { } entry)
            {
                if (!entry.Deprecated)
                {
                    break;
                }

                since = v;
            }
        }

        return since;
    }

    private static string Count(int active, int deprecated) =>
        deprecated == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ({active} active, {deprecated} deprecated)");

    /// <summary>GitHub's heading anchor for names made of lower-case letters, digits and '_': the name itself.</summary>
    private static string Anchor(string name) => name.ToLowerInvariant().Replace(' ', '-');

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    /// <summary>Newlines and runs of white space folded to one space, trimmed.</summary>
    private static string OneLine(string? text) => WhiteSpace().Replace(text ?? string.Empty, " ").Trim();

    private static string Shorten(string line) => line.Length > 80 ? line[..80] + "..." : line;

    private static int LongestBacktickRun(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"^table\s*\((.*)\)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex TableReturn();

    /// <summary>Lines joined with "\n", ending with one.</summary>
    private sealed class Markdown
    {
        private readonly StringBuilder text = new();

        public void Line(string line = "") => text.Append(line).Append('\n');

        public override string ToString() => text.ToString();
    }
}
