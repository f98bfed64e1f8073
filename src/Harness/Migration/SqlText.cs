using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>
/// Builds the statements the migrator sends. Script and body text is copied byte for byte:
/// no formatting over SQL, only concatenation around a dollar-quote tag that cannot collide.
/// </summary>
internal static class SqlText
{
    /// <summary>The first of <c>$$</c>, <c>$x$</c>, <c>$xx$</c>, ... that does not occur in <paramref name="text"/>.</summary>
    public static string DollarQuoteTag(string text)
    {
        var tag = "$$";
        while (text.Contains(tag, StringComparison.Ordinal))
        {
            tag = "$" + new string('x', tag.Length - 1) + "$";
        }

        return tag;
    }

    /// <summary><paramref name="text"/> wrapped in a dollar quote that cannot end early.</summary>
    public static string DollarQuote(string text)
    {
        var tag = DollarQuoteTag(text);
        return tag + text + tag;
    }

    /// <summary>A <c>DO</c> statement running a migration or downgrade script (prefix already substituted).</summary>
    public static ScriptStatement DoBlock(string script)
    {
        var tag = DollarQuoteTag(script);
        var prefix = "DO " + tag;
        return new ScriptStatement(prefix + script + tag, prefix.Length, script, "inline_code_block");
    }

    /// <summary><c>create or replace function</c> for a full method definition; only the name is quoted.</summary>
    public static ScriptStatement CreateFunction(DbMethod method)
    {
        if (!method.IsDefinition || method.Body is null)
        {
            throw new ArgumentException($"method {method.Name} is a deprecated stub and has no definition", nameof(method));
        }

        var tag = DollarQuoteTag(method.Body);
        var prefix = "create or replace function " + Sql.Identifier(method.Name) + "(" + method.Args + ") returns " + method.Returns + " as " + tag;
        return new ScriptStatement(prefix + method.Body + tag + " language plpgsql", prefix.Length, method.Body, method.Name);
    }

    /// <summary><c>drop function "name"(args)</c>, with the argument text of the method's definition.</summary>
    public static string DropFunction(string name, string args) => "drop function " + Sql.Identifier(name) + "(" + args + ")";
}

/// <summary>
/// A statement embedding a script (or body) at a known offset, so error positions map back to the script;
/// <paramref name="PlpgsqlFrame"/> is how PL/pgSQL names it in error contexts (<c>inline_code_block</c> for DO).
/// </summary>
public sealed record ScriptStatement(string Sql, int ScriptOffset, string Script, string PlpgsqlFrame);
