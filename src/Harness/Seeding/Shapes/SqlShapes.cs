using System.Text.RegularExpressions;
using Tcdb.Schema;

namespace Tcdb.Seeding.Shapes;

/// <summary>
/// The shapes a db directory's SQL expects of its columns, read from every migration and downgrade script
/// and every method body: the keys read from jsonb columns (<c>-&gt;&gt;</c>, <c>-&gt;</c>, <c>#&gt;&gt;</c>,
/// <c>?</c>, <c>jsonb_extract_path*</c>), what each key is cast or passed to, nested objects and arrays,
/// Taskcluster's entity buffers (<c>entity_buf_decode</c>) and slugids, text that is split
/// (<c>split_part</c>), cast or matched with <c>like</c>. A reference is attributed to the table its
/// qualifier names (a table or an alias of one in the same statement); an unqualified one to every
/// table the statement names. What a column of a relational table must hold is carried back to the
/// entities column it is copied from (<c>insert into t (c) select e.value -&gt;&gt; 'k' ...</c>).
/// </summary>
public sealed partial class SqlShapes
{
    private const string Identifier = "[a-z_][a-z0-9_]*";

    private static readonly HashSet<string> NotAliases = new(StringComparer.Ordinal)
    {
        "where", "on", "set", "join", "left", "right", "inner", "outer", "full", "cross", "group", "order", "limit", "values",
        "select", "using", "returning", "for", "as", "natural", "lateral", "union", "except", "intersect", "having", "window", "offset", "default",
    };

    private readonly Dictionary<(string Table, string Column), ValueShape> shapes = [];
    private readonly Dictionary<string, IReadOnlyList<string>> enums = new(StringComparer.Ordinal);

    /// <summary>Every shape found, by table (without schema) and column.</summary>
    public IReadOnlyDictionary<(string Table, string Column), ValueShape> Columns => shapes;

    /// <summary>The shape of <paramref name="table"/>.<paramref name="column"/> (table without schema), if any SQL reads it.</summary>
    public ValueShape? Find(string table, string column) => shapes.GetValueOrDefault((Unqualified(table), column));

    public static SqlShapes Infer(DbSchema schema) => Infer(Texts(schema));

    public static SqlShapes Infer(IEnumerable<string> sqlTexts)
    {
        var inference = new SqlShapes();
        var texts = sqlTexts.Where(t => !string.IsNullOrWhiteSpace(t)).Select(StripComments).ToList();
        foreach (var text in texts)
        {
            foreach (Match match in EnumDefinition().Matches(text))
            {
                inference.enums[Unqualified(match.Groups["name"].Value.ToLowerInvariant())] = StringLiteral().Matches(match.Groups["labels"].Value).Select(m => m.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal)).ToList();
            }
        }

        var copies = new List<(string Table, string Column, string Source, Dictionary<string, string> Aliases, IReadOnlyList<string> Tables)>();
        foreach (var text in texts)
        {
            foreach (var statement in Statements(text))
            {
                var (aliases, tables) = Tables(statement);
                inference.ReadStatement(statement, aliases, tables);
                copies.AddRange(InsertSelects(statement).Select(c => (c.Table, c.Column, c.Source, aliases, tables)));
            }
        }

        // Twice, so that a shape carried into one table can be carried on (entities -> relational -> ...).
        for (var round = 0; round < 2; round++)
        {
            foreach (var (table, column, source, aliases, tables) in copies)
            {
                if (inference.shapes.GetValueOrDefault((table, column)) is { IsEmpty: false } target)
                {
                    inference.Carry(target, source, aliases, tables);
                }
            }
        }

        return inference;
    }

    /// <summary>What the inference found but cannot produce: casts to types it does not know, per column and key path.</summary>
    public IReadOnlyList<string> Unsatisfied()
    {
        var found = new List<string>();
        foreach (var ((table, column), shape) in shapes.OrderBy(s => s.Key.Table, StringComparer.Ordinal).ThenBy(s => s.Key.Column, StringComparer.Ordinal))
        {
            Walk(shape, $"{table}.{column}");
        }

        return found;

        void Walk(ValueShape shape, string path)
        {
            if (shape.Kind == ShapeKind.Enum && shape.Labels.Count == 0)
            {
                found.Add($"{path} is cast to {shape.TypeName}, a type not created by any script of the directory");
            }

            foreach (var (key, child) in shape.Keys)
            {
                Walk(child, $"{path} -> '{key}'");
            }

            if (shape.Element is not null)
            {
                Walk(shape.Element, path + "[]");
            }
        }
    }

    /// <summary>Every SQL text of a directory: scripts and method bodies of every version.</summary>
    public static IEnumerable<string> Texts(DbSchema schema)
    {
        foreach (var version in schema.Versions)
        {
            yield return version.MigrationScript ?? string.Empty;
            yield return version.DowngradeScript ?? string.Empty;
            foreach (var method in version.Methods)
            {
                yield return method.Body ?? string.Empty;
            }
        }
    }

    private void ReadStatement(string statement, Dictionary<string, string> aliases, IReadOnlyList<string> tables)
    {
        foreach (Match match in JsonAccess().Matches(statement))
        {
            foreach (var shape in Targets(match.Groups["qual"].Value, match.Groups["col"].Value, aliases, tables))
            {
                var node = shape;
                var steps = ChainStep().Matches(match.Groups["chain"].Value).ToList();
                for (var i = 0; i < steps.Count; i++)
                {
                    var op = steps[i].Groups["op"].Value;
                    var literal = steps[i].Groups["lit"].Value;
                    if (op == "?")
                    {
                        node.Key(literal);
                        break;
                    }

                    var path = op.StartsWith('#') ? literal.Trim('{', '}').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [literal];
                    foreach (var key in path)
                    {
                        node = int.TryParse(key, out _) && node.Kind == ShapeKind.Array ? node.Elements() : node.Key(key);
                    }

                    if (i == steps.Count - 1)
                    {
                        Use(node, statement, match.Index, match.Index + match.Length, asText: op.EndsWith(">>", StringComparison.Ordinal));
                    }
                }
            }
        }

        foreach (Match match in ExtractPath().Matches(statement))
        {
            foreach (var shape in Targets(match.Groups["qual"].Value, match.Groups["col"].Value, aliases, tables))
            {
                var node = shape;
                foreach (Match key in StringLiteral().Matches(match.Groups["keys"].Value))
                {
                    node = node.Key(key.Groups[1].Value);
                }

                Use(node, statement, match.Index, match.Index + match.Length, asText: match.Groups["text"].Success);
            }
        }

        foreach (Match match in BufferDecode().Matches(statement))
        {
            foreach (var shape in Targets(match.Groups["qual"].Value, match.Groups["col"].Value, aliases, tables))
            {
                var buffer = shape.Buffer(match.Groups["name"].Value);
                Use(buffer, statement, match.Index, match.Index + match.Length, asText: true);
            }
        }

        foreach (Match match in SplitPart().Matches(statement))
        {
            foreach (var shape in Targets(match.Groups["qual"].Value, match.Groups["col"].Value, aliases, tables))
            {
                var part = shape.Part(match.Groups["sep"].Value.Replace("''", "'", StringComparison.Ordinal), int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture));
                Use(part, statement, match.Index, match.Index + match.Length, asText: true);
            }
        }

        foreach (Match match in PrimaryKey().Matches(statement))
        {
            var table = match.Groups["table"].Success ? Unqualified(match.Groups["table"].Value.ToLowerInvariant()) : tables.Count > 0 ? tables[0] : null;
            if (table is null)
            {
                continue;
            }

            foreach (var column in match.Groups["cols"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                Targets(table, column.Trim('"'), aliases, [table]).First().RequireUnique();
            }
        }

        foreach (Match match in DocumentComparison().Matches(statement))
        {
            var open = match.Index + match.Length;
            var close = ClosingParenthesis(statement, open);
            if (close < 0)
            {
                continue;
            }

            var arguments = SplitTopLevel(statement[open..close]);
            if (arguments.Count % 2 != 0)
            {
                continue;
            }

            var qual = match.Groups["qual"].Value;
            var table = qual.Length > 0 ? aliases.GetValueOrDefault(qual.TrimEnd('.').ToLowerInvariant(), qual.TrimEnd('.').ToLowerInvariant()) : null;
            foreach (var document in Targets(qual, match.Groups["col"].Value, aliases, tables))
            {
                var keys = new List<string>();
                for (var i = 0; i < arguments.Count; i += 2)
                {
                    if (StringLiteral().Match(arguments[i]) is not { Success: true } literal || literal.Length != arguments[i].Length)
                    {
                        keys.Clear();
                        break;
                    }

                    var key = literal.Groups[1].Value;
                    keys.Add(key);
                    var child = document.Key(key);
                    var expression = arguments[i + 1];
                    if (ColumnReference().Match(expression) is { Success: true } column && SameTable(column.Groups["qual"].Value, table, aliases))
                    {
                        child.RequireEquals(column.Groups["col"].Value.ToLowerInvariant(), null);
                    }
                    else if (SplitPart().Match(expression) is { Success: true, Index: 0 } split && split.Length == expression.Length && SameTable(split.Groups["qual"].Value, table, aliases))
                    {
                        child.RequireEquals(split.Groups["col"].Value.ToLowerInvariant(), int.Parse(split.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else if (JsonAccess().Match(expression) is { Success: true, Index: 0 } access && access.Length == expression.Length && access.Groups["chain"].Value.Contains("->>", StringComparison.Ordinal))
                    {
                        child.RequireJsonString();
                    }
                }

                if (keys.Count > 0)
                {
                    document.RequireExactKeys(keys);
                }
            }
        }

        foreach (Match match in ConstantCheck().Matches(statement))
        {
            var literal = match.Groups["lit1"].Value.Replace("''", "'", StringComparison.Ordinal);
            foreach (var shape in Targets(match.Groups["qual"].Value, match.Groups["col"].Value, aliases, tables))
            {
                shape.Require(ShapeKind.Constant, literal);
            }
        }

        foreach (Match match in SlugidUse().Matches(statement))
        {
            foreach (var shape in Targets(match.Groups["qual"].Value, match.Groups["col"].Value, aliases, tables))
            {
                shape.Require(ShapeKind.Slugid);
            }
        }

        foreach (Match match in LikeUse().Matches(statement))
        {
            foreach (var shape in Targets(match.Groups["qual"].Value, match.Groups["col"].Value, aliases, tables))
            {
                shape.RequirePrefix(match.Groups["prefix"].Value);
            }
        }
    }

    /// <summary>What the text around an expression says about its value: a cast after it, a function around it.</summary>
    private void Use(ValueShape node, string statement, int start, int end, bool asText)
    {
        var after = statement[end..];
        var cast = CastAfter().Match(after);
        var before = statement[..start];
        var wrapper = WrapperBefore().Match(before);
        if (cast.Success)
        {
            Cast(node, cast.Groups["type"].Value.Trim().ToLowerInvariant());
        }
        else if (wrapper.Success)
        {
            switch (wrapper.Groups["fn"].Value.ToLowerInvariant())
            {
                case "slugid_to_uuid":
                    node.Require(ShapeKind.Slugid);
                    break;
                case "jsonb_array_elements" or "json_array_elements":
                    node.Elements().Require(ShapeKind.Object);
                    break;
                case "jsonb_array_elements_text" or "json_array_elements_text" or "jsonb_array_length":
                    node.Elements();
                    break;
                case "jsonb_each" or "jsonb_each_text" or "jsonb_object_keys":
                    node.Require(ShapeKind.Object);
                    break;
                default:
                    node.Require(asText ? ShapeKind.Text : ShapeKind.Object);
                    break;
            }
        }
        else
        {
            node.Require(asText ? ShapeKind.Text : ShapeKind.Object);
        }
    }

    private void Cast(ValueShape node, string type)
    {
        var array = type.EndsWith("[]", StringComparison.Ordinal);
        var target = array ? node.Elements() : node;
        var name = array ? type[..^2].Trim() : type;
        switch (name)
        {
            case "integer" or "int" or "int4" or "smallint" or "int2" or "bigint" or "int8":
                target.Require(ShapeKind.Integer);
                break;
            case "numeric" or "real" or "float4" or "float8" or "double precision" or "decimal":
                target.Require(ShapeKind.Number);
                break;
            case "boolean" or "bool":
                target.Require(ShapeKind.Boolean);
                break;
            case "timestamptz" or "timestamp with time zone" or "timestamp" or "timestamp without time zone" or "date":
                target.Require(ShapeKind.Timestamp);
                break;
            case "uuid":
                target.Require(ShapeKind.Uuid);
                break;
            case "jsonb" or "json":
                target.Require(ShapeKind.Object);
                break;
            case "text" or "varchar" or "character varying":
                target.Require(ShapeKind.Text);
                break;
            default:
                var unqualified = Unqualified(name);
                target.Require(ShapeKind.Enum, unqualified, enums.GetValueOrDefault(unqualified));
                break;
        }
    }

    /// <summary>The shape <paramref name="target"/> asks of the source expression of a copy.</summary>
    private void Carry(ValueShape target, string source, Dictionary<string, string> aliases, IReadOnlyList<string> tables)
    {
        var expression = source.Trim();
        while (expression.StartsWith('(') && expression.EndsWith(')'))
        {
            expression = expression[1..^1].Trim();
        }

        if (ColumnReference().Match(expression) is { Success: true } column)
        {
            foreach (var shape in Targets(column.Groups["qual"].Value, column.Groups["col"].Value, aliases, tables))
            {
                shape.MergeFrom(target);
            }
        }
        else if (JsonAccess().Match(expression) is { Success: true, Index: 0 } access && access.Length == expression.Length)
        {
            var steps = ChainStep().Matches(access.Groups["chain"].Value).ToList();
            foreach (var shape in Targets(access.Groups["qual"].Value, access.Groups["col"].Value, aliases, tables))
            {
                var node = shape;
                foreach (var step in steps)
                {
                    node = node.Key(step.Groups["lit"].Value);
                }

                node.MergeFrom(target);
            }
        }
        else if (SplitPart().Match(expression) is { Success: true, Index: 0 } split && split.Length == expression.Length)
        {
            foreach (var shape in Targets(split.Groups["qual"].Value, split.Groups["col"].Value, aliases, tables))
            {
                shape.Part(split.Groups["sep"].Value, int.Parse(split.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)).MergeFrom(target);
            }
        }
    }

    /// <summary>The shapes a column reference stands for: the qualified table's, or those of every table of the statement.</summary>
    private IEnumerable<ValueShape> Targets(string qualifier, string column, Dictionary<string, string> aliases, IReadOnlyList<string> tables)
    {
        var qual = qualifier.TrimEnd('.').ToLowerInvariant();
        column = column.ToLowerInvariant();
        IEnumerable<string> owners = qual.Length > 0
            ? [aliases.GetValueOrDefault(qual, qual)]
            : tables;
        foreach (var owner in owners)
        {
            if (!shapes.TryGetValue((owner, column), out var shape))
            {
                shapes[(owner, column)] = shape = new ValueShape();
            }

            yield return shape;
        }
    }

    private static (Dictionary<string, string> Aliases, IReadOnlyList<string> Tables) Tables(string statement)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        var tables = new List<string>();
        foreach (Match match in TableReference().Matches(statement))
        {
            var table = Unqualified(match.Groups["table"].Value.ToLowerInvariant());
            if (NotAliases.Contains(table))
            {
                continue;
            }

            if (!tables.Contains(table))
            {
                tables.Add(table);
            }

            var alias = match.Groups["alias"].Value.ToLowerInvariant();
            if (match.Groups["alias"].Success && !NotAliases.Contains(alias))
            {
                aliases[alias] = table;
            }
        }

        return (aliases, tables);
    }

    /// <summary><c>insert into t (c1, c2) select e1, e2 from ...</c>: each target column with its source expression.</summary>
    private static IEnumerable<(string Table, string Column, string Source)> InsertSelects(string statement)
    {
        foreach (Match match in InsertSelect().Matches(statement))
        {
            var columns = SplitTopLevel(match.Groups["cols"].Value);
            var rest = statement[(match.Index + match.Length)..];
            var end = TopLevelFrom(rest);
            var sources = SplitTopLevel(end < 0 ? rest : rest[..end]);
            if (columns.Count != sources.Count)
            {
                continue;
            }

            var table = Unqualified(match.Groups["table"].Value.ToLowerInvariant());
            for (var i = 0; i < columns.Count; i++)
            {
                yield return (table, columns[i].Trim().Trim('"').ToLowerInvariant(), sources[i]);
            }
        }
    }

    private static bool SameTable(string qualifier, string? table, Dictionary<string, string> aliases)
    {
        var qual = qualifier.TrimEnd('.').ToLowerInvariant();
        return table is null ? qual.Length == 0 : aliases.GetValueOrDefault(qual, qual) == table;
    }

    private static int ClosingParenthesis(string text, int start)
    {
        var depth = 1;
        var quoted = false;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && text[i] == '(')
            {
                depth++;
            }
            else if (!quoted && text[i] == ')' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static int TopLevelFrom(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
            if (depth == 0 && string.Compare(text, i, "from", 0, 4, StringComparison.OrdinalIgnoreCase) == 0 && (i == 0 || !char.IsLetterOrDigit(text[i - 1])) && (i + 4 >= text.Length || !char.IsLetterOrDigit(text[i + 4])))
            {
                return i;
            }
        }

        return -1;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '(' or '[')
            {
                depth++;
            }
            else if (!quoted && c is ')' or ']')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && c == ',')
            {
                parts.Add(text[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(text[start..].Trim());
        return parts;
    }

    /// <summary>Statements of a script or body, split at semicolons outside quotes (function bodies stay whole enough: their statements split too).</summary>
    private static IEnumerable<string> Statements(string text)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && text[i] == ';')
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static string StripComments(string text) => LineComment().Replace(text, string.Empty);

    private static string Unqualified(string name) => name.Contains('.', StringComparison.Ordinal) ? name[(name.LastIndexOf('.') + 1)..] : name;

    [GeneratedRegex(@"(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")(?<chain>(?:\s*(?:->>|->|#>>|#>|\?)\s*'[^']*')+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonAccess();

    [GeneratedRegex(@"(?<op>->>|->|#>>|#>|\?)\s*'(?<lit>[^']*)'", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ChainStep();

    [GeneratedRegex(@"jsonb?_extract_path(?<text>_text)?\(\s*(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\s*,(?<keys>(?:\s*'[^']*'\s*,?)+)\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExtractPath();

    [GeneratedRegex(@"entity_buf_decode\(\s*(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\s*,\s*'(?<name>[^']*)'\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BufferDecode();

    [GeneratedRegex(@"split_part\(\s*(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\s*,\s*'(?<sep>(?:[^']|'')*)'\s*,\s*(?<n>\d+)\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SplitPart();

    [GeneratedRegex(@"(?:(?:create\s+table|alter\s+table)\s+(?:only\s+)?(?<table>" + Identifier + @"(?:\." + Identifier + @")?)\b[^;]*?)?\bprimary\s+key\s*\((?<cols>[^)]*)\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PrimaryKey();

    // The whole document compared with one the statement builds from the row.
    [GeneratedRegex(@"(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\s+(?:is\s+(?:not\s+)?distinct\s+from|=|<>)\s+jsonb_build_object\s*\(", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DocumentComparison();

    // A key-consistency check: the column must hold exactly this text ('x' is distinct from c, or not (c = 'x')).
    [GeneratedRegex(@"(?:(?:\(\s*'(?<lit1>(?:[^']|'')*)'\s*\)|'(?<lit1>(?:[^']|'')*)')\s+is\s+distinct\s+from\s+(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\b|\bnot\s*\(\s*(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\s*=\s*'(?<lit1>(?:[^']|'')*)'\s*\))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConstantCheck();

    [GeneratedRegex(@"slugid_to_uuid\(\s*(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SlugidUse();

    [GeneratedRegex(@"(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")\s+like\s+'(?<prefix>[^'%_]+)%'", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LikeUse();

    [GeneratedRegex(@"^\s*(?:\)\s*)*::\s*(?<type>[a-z_][a-z0-9_.]*(?:\s+(?:with(?:out)?\s+time\s+zone|precision|varying))?(?:\[\])?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CastAfter();

    [GeneratedRegex(@"(?<fn>[a-z_][a-z0-9_]*)\s*\(\s*\(?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WrapperBefore();

    [GeneratedRegex(@"^(?<qual>" + Identifier + @"\.)?(?<col>" + Identifier + @")$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ColumnReference();

    [GeneratedRegex(@"\b(?:from|join|update|into|lock\s+table|table)\s+(?:only\s+)?(?<table>" + Identifier + @"(?:\." + Identifier + @")?)(?:\s+(?:as\s+)?(?<alias>" + Identifier + @"))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TableReference();

    [GeneratedRegex(@"insert\s+into\s+(?<table>" + Identifier + @"(?:\." + Identifier + @")?)\s*\((?<cols>[^)]*)\)\s*select\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InsertSelect();

    [GeneratedRegex(@"create\s+type\s+(?<name>" + Identifier + @"(?:\." + Identifier + @")?)\s+as\s+enum\s*\((?<labels>[^)]*)\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EnumDefinition();

    [GeneratedRegex(@"'((?:[^']|'')*)'", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"--[^\n]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LineComment();
}
