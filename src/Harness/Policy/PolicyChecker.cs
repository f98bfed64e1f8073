using System.Text.RegularExpressions;
using Tcdb.Schema;

namespace Tcdb.Policy;

/// <summary>
/// Runs the best-practice rules over the effective state of a schema: the latest tables.yml and the current
/// definition of every method (history is judged only by <c>drop-defined-function</c>, which is about scripts).
/// Advice rules skip deprecated methods; the error rules about methods judge every method that still exists.
/// </summary>
public static partial class PolicyChecker
{
    /// <summary>Every finding of <paramref name="schema"/>, before waivers, in file and line order.</summary>
    public static IReadOnlyList<PolicyFinding> Check(DbSchema schema)
    {
        var findings = new List<PolicyFinding>();
        CheckTables(schema, findings);
        CheckScripts(schema, findings);
        var services = schema.Access.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var method in schema.EffectiveMethods())
        {
            CheckMethod(method, services, findings);
        }

        return findings
            .OrderBy(f => f.Location?.File, StringComparer.Ordinal)
            .ThenBy(f => f.Location?.Line ?? 0)
            .ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Applies <paramref name="waivers"/>: findings they match move to <see cref="PolicyReport.Waived"/>, unused waivers become findings.</summary>
    public static PolicyReport Check(DbSchema schema, IReadOnlyList<PolicyWaiver> waivers)
    {
        var all = Check(schema);
        var waived = all.Where(f => waivers.Any(w => w.Matches(f))).ToList();
        var findings = all.Except(waived).ToList();
        foreach (var unused in waivers.Where(w => !all.Any(w.Matches)))
        {
            findings.Add(Finding(PolicyRules.UnusedWaiver, unused.Location, $"{unused.Rule} {unused.Object}",
                $"the waiver for rule {unused.Rule} on {unused.Object} matches no finding; delete it (or fix its rule or object name)"));
        }

        return new PolicyReport(findings, waived);
    }

    private static void CheckTables(DbSchema schema, List<PolicyFinding> findings)
    {
        foreach (var (table, columns) in schema.Tables)
        {
            foreach (var (column, type) in columns)
            {
                var location = schema.TableLocation(table, column);
                if (TimestampWithoutTimeZone().IsMatch(type))
                {
                    findings.Add(Finding(PolicyRules.TimestampWithoutTimeZone, location, $"{table}.{column}",
                        $"{table}.{column} is '{type}', a timestamp without time zone; expected timestamp with time zone (timestamptz) so the value means one instant"));
                }

                if (Json().IsMatch(type))
                {
                    findings.Add(Finding(PolicyRules.JsonNotJsonb, location, $"{table}.{column}",
                        $"{table}.{column} is '{type}'; prefer jsonb (binary, indexable, no duplicate keys)"));
                }
            }
        }
    }

    private static void CheckScripts(DbSchema schema, List<PolicyFinding> findings)
    {
        var firstDefinition = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var version in schema.Versions)
        {
            CheckSqlFileName(version.MigrationScript, version.MigrationScriptLocation, $"v{version.Number}.migrationScript", $"version {version.Number}: migrationScript", findings);
            CheckSqlFileName(version.DowngradeScript, version.DowngradeScriptLocation, $"v{version.Number}.downgradeScript", $"version {version.Number}: downgradeScript", findings);
            if (version.MigrationScript is { } script)
            {
                var code = SqlScan.ScriptCode(script);
                foreach (Match drop in DropFunction().Matches(code))
                {
                    foreach (var name in DroppedNames(code, drop.Index + drop.Length))
                    {
                        if (firstDefinition.TryGetValue(name, out var definedIn))
                        {
                            findings.Add(Finding(PolicyRules.DropDefinedFunction, SqlScan.At(version.MigrationScriptLocation, script, drop.Index), name,
                                $"version {version.Number}: the migration script drops function {name}, a method since version {definedIn}; functions are forever: deprecate it (deprecated: true) instead"));
                        }
                    }
                }
            }

            foreach (var method in version.Methods.Where(m => m.IsDefinition))
            {
                firstDefinition.TryAdd(method.Name, version.Number);
            }
        }
    }

    private static void CheckMethod(EffectiveMethod effective, IReadOnlySet<string> services, List<PolicyFinding> findings)
    {
        var method = effective.Definition;
        var name = method.Name;
        var owner = $"method {name} (version {effective.DefinedInVersion})";
        var body = method.Body ?? string.Empty;
        var code = SqlScan.Code(body);
        var active = !effective.Deprecated;

        if (method.Mode == MethodMode.Read && ModifyingStatement().Match(code) is { Success: true } write)
        {
            findings.Add(Finding(PolicyRules.ReadMethodWrites, SqlScan.At(method.BodyLocation, body, write.Index), name,
                $"{owner} is mode: read but its body runs '{Squash(write.Value)}'; read methods run in a read-only transaction: make it mode: write in a new method, or remove the write"));
        }

        CheckSqlFileName(method.Body, method.BodyLocation, name, $"{owner}: body", findings);
        if (!active)
        {
            return;
        }

        if (method.ServiceName is { } service && !services.Contains(service))
        {
            findings.Add(Finding(PolicyRules.ServiceNotInAccess, method.Location, name,
                $"{owner} belongs to service {service}, which access.yml does not list; expected a service of access.yml ({string.Join(", ", services.Order(StringComparer.Ordinal))})"));
        }

        foreach (Match star in SelectStar().Matches(code))
        {
            findings.Add(Finding(PolicyRules.SelectStar, SqlScan.At(method.BodyLocation, body, star.Index), name,
                $"{owner} uses '{Squash(star.Value)}'; list the columns, so a new column cannot change what the function returns"));
        }

        foreach (Match execute in DynamicSql().Matches(code))
        {
            findings.Add(Finding(PolicyRules.DynamicSqlConcat, SqlScan.At(method.BodyLocation, body, execute.Index), name,
                $"{owner} executes SQL built with ||; use format() with %I/%L or execute ... using, so values cannot inject SQL"));
        }

        if (body.Contains(RolePrefix.Placeholder, StringComparison.Ordinal))
        {
            findings.Add(Finding(PolicyRules.UserPrefixInBody, SqlScan.At(method.BodyLocation, body, body.IndexOf(RolePrefix.Placeholder, StringComparison.Ordinal)), name,
                $"{owner}: the body contains $db_user_prefix$, which is substituted only in migration and downgrade scripts"));
        }

        foreach (var argument in ArgumentNames(method.Args ?? string.Empty).Where(a => !a.EndsWith("_in", StringComparison.Ordinal)))
        {
            findings.Add(Finding(PolicyRules.ArgWithoutInSuffix, method.Location, name,
                $"{owner}: argument {argument} does not end in _in; expected {argument}_in so it cannot be confused with a column"));
        }

        foreach (var (what, text) in new[] { ("args", method.Args), ("returns", method.Returns) })
        {
            if (text is not null && Json().IsMatch(text.ToLowerInvariant()))
            {
                findings.Add(Finding(PolicyRules.JsonNotJsonb, method.Location, name, $"{owner}: {what} uses json; prefer jsonb"));
            }
        }
    }

    private static void CheckSqlFileName(string? text, SourceLocation? location, string obj, string owner, List<PolicyFinding> findings)
    {
        if (text is not null && SqlFileName().IsMatch(text))
        {
            findings.Add(Finding(PolicyRules.SqlFileNotFound, location, obj,
                $"{owner} is '{text}', which looks like a file name but no such file exists in versions/, so it would run as SQL; fix the file name"));
        }
    }

    /// <summary>Names after <c>drop function [if exists]</c>: a comma separated list, each maybe with an argument list.</summary>
    private static IEnumerable<string> DroppedNames(string code, int from)
    {
        var i = from;
        while (true)
        {
            var name = FunctionName().Match(code, i);
            if (!name.Success || name.Index != i)
            {
                yield break;
            }

            yield return name.Groups["name"].Value;
            i = name.Index + name.Length;
            if (i < code.Length && code[i] == '(')
            {
                var depth = 0;
                for (; i < code.Length; i++)
                {
                    depth += code[i] == '(' ? 1 : code[i] == ')' ? -1 : 0;
                    if (depth == 0)
                    {
                        i++;
                        break;
                    }
                }
            }

            var comma = ListSeparator().Match(code, i);
            if (!comma.Success || comma.Index != i)
            {
                yield break;
            }

            i += comma.Length;
        }
    }

    /// <summary>The parameter names of an args text; unnamed parameters are skipped.</summary>
    internal static IEnumerable<string> ArgumentNames(string args) =>
        MethodArguments.Parse(args).Select(a => a.Name).OfType<string>();

    private static PolicyFinding Finding(PolicyRule rule, SourceLocation? location, string obj, string message) =>
        new(rule.Id, rule.Severity, location, obj, message);

    private static string Squash(string sql) => WhiteSpace().Replace(sql.Trim(), " ");

    [GeneratedRegex(@"\btimestamp(?!tz\b)(?>(\(\d+\))?)(?! with time zone)", RegexOptions.IgnoreCase)]
    private static partial Regex TimestampWithoutTimeZone();

    [GeneratedRegex(@"\bjson\b(?!b)")]
    private static partial Regex Json();

    [GeneratedRegex(@"\bdrop\s+function\s+(if\s+exists\s+)?")]
    private static partial Regex DropFunction();

    [GeneratedRegex(@"(public\s*\.\s*)?""?(?<name>[a-z_][a-z0-9_]*)""?")]
    private static partial Regex FunctionName();

    [GeneratedRegex(@"\s*,\s*")]
    private static partial Regex ListSeparator();

    [GeneratedRegex(@"\b(insert\s+into|update\s+(only\s+)?[a-z_][a-z0-9_.""]*(\s+(as\s+)?[a-z_][a-z0-9_]*)?\s+set|delete\s+from|truncate|(create|alter|drop)\s+(or\s+replace\s+)?(temp\s+|temporary\s+|unlogged\s+|unique\s+)?(table|index|function|view|sequence|type|schema|trigger|extension|materialized|role|user|policy))\b")]
    private static partial Regex ModifyingStatement();

    [GeneratedRegex(@"\bselect\s+(distinct\s+)?([a-z_][a-z0-9_]*\s*\.\s*)?\*")]
    private static partial Regex SelectStar();

    [GeneratedRegex(@"\bexecute\b[^;]*?\|\|")]
    private static partial Regex DynamicSql();

    [GeneratedRegex(@"^[^\s]+\.sql$", RegexOptions.IgnoreCase)]
    private static partial Regex SqlFileName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
