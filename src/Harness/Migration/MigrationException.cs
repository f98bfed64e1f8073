using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Tcdb.Migration;

/// <summary>What kind of failure a <see cref="MigrationException"/> is.</summary>
public enum MigrationFailure
{
    /// <summary>A script, method definition or online function failed, or the database was not in the expected state.</summary>
    StepFailed,

    /// <summary>An online migration or downgrade stopped bringing its completion check closer to true.</summary>
    OnlineNeverCompletes,
}

/// <summary>
/// An upgrade or downgrade step failed. The message names the version, the script (migration script,
/// downgrade script or method), PostgreSQL's message, its SQLSTATE and, when PostgreSQL gives one, the line
/// (and column) inside the script. The failing version's transaction was rolled back.
/// </summary>
public sealed class MigrationException : Exception
{
    public MigrationException(string message, Exception? inner = null)
        : base(message, inner)
    {
        SqlState = (inner as PostgresException)?.SqlState;
    }

    private MigrationException(string message, PostgresException inner, int? version, string? script, int? line, int? column)
        : base(message, inner)
    {
        Version = version;
        Script = script;
        SqlState = inner.SqlState;
        Line = line;
        Column = column;
    }

    /// <summary>The version being applied or reverted, when the failure belongs to one.</summary>
    public int? Version { get; init; }

    public MigrationFailure Failure { get; init; } = MigrationFailure.StepFailed;

    /// <summary>What was running: <c>migration script</c>, <c>downgrade script</c>, <c>method get_widget</c>, ...</summary>
    public string? Script { get; }

    /// <summary>PostgreSQL's SQLSTATE, when the failure came from the server.</summary>
    public string? SqlState { get; }

    /// <summary>1-based line inside the script, when PostgreSQL gave a position or a PL/pgSQL line.</summary>
    public int? Line { get; }

    /// <summary>1-based column inside the script, when PostgreSQL gave a character position.</summary>
    public int? Column { get; }

    /// <summary>The same failure with <paramref name="addition"/> appended to the message.</summary>
    internal MigrationException With(string addition) => InnerException is PostgresException inner
        ? new MigrationException(Message + addition, inner, Version, Script, Line, Column)
        : new MigrationException(Message + addition, InnerException);

    /// <summary>Wraps a server error raised while running <paramref name="statement"/> for <paramref name="what"/>.</summary>
    public static MigrationException FromPostgres(PostgresException error, int? version, string what, ScriptStatement? statement = null)
    {
        var (line, column) = statement is null ? (null, null) : ScriptLocation.Find(error, statement);
        var text = new StringBuilder();
        text.Append(version is null ? string.Empty : $"version {version}: ");
        text.Append(what);
        if (line is not null)
        {
            text.Append(column is null ? string.Create(CultureInfo.InvariantCulture, $" line {line}") : string.Create(CultureInfo.InvariantCulture, $" line {line}:{column}"));
        }

        text.Append(CultureInfo.InvariantCulture, $": {error.MessageText} (SQLSTATE {error.SqlState})");
        AppendField(text, "DETAIL", error.Detail);
        AppendField(text, "HINT", error.Hint);
        AppendField(text, "WHERE", error.Where);
        return new MigrationException(text.ToString(), error, version, what, line, column);
    }

    private static void AppendField(StringBuilder text, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            text.Append(CultureInfo.InvariantCulture, $"; {name}: {value.ReplaceLineEndings(" | ")}");
        }
    }
}

/// <summary>Maps PostgreSQL error positions back to a line (and column) of the embedded script.</summary>
internal static class ScriptLocation
{
    public static (int? Line, int? Column) Find(PostgresException error, ScriptStatement statement)
    {
        // A character position in our statement (syntax errors, PL/pgSQL compile errors): exact line and column.
        if (error.Position > 0)
        {
            var offset = error.Position - 1 - statement.ScriptOffset;
            if (offset >= 0 && offset <= statement.Script.Length)
            {
                return LineAndColumn(statement.Script, offset);
            }
        }

        // A PL/pgSQL error: "PL/pgSQL function inline_code_block line N at ..." (DO blocks),
        // "PL/pgSQL function name(args) line N at ..." or "compilation of PL/pgSQL function "name" near line N".
        // Only the frame of the script itself counts, not the frames of functions it called.
        if (error.Where is { } where)
        {
            var frame = new Regex("PL/pgSQL function \"?" + Regex.Escape(statement.PlpgsqlFrame) + "\"?(?=[(\\s])[^\n]*? line (\\d+)");
            var match = frame.Match(where);
            if (match.Success)
            {
                return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), null);
            }
        }

        return (null, null);
    }

    internal static (int Line, int Column) LineAndColumn(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }
}
