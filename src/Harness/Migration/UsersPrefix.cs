using System.Text.RegularExpressions;

namespace Tcdb.Migration;

/// <summary>
/// The deployment's username prefix: service roles are named <c>&lt;prefix&gt;_&lt;service&gt;</c>.
/// Only lowercase ASCII letters and underscores are allowed (no digits), as in Taskcluster.
/// </summary>
public static partial class UsersPrefix
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="prefix"/> matches <c>^[a-z_]+$</c>.</summary>
    public static string Validate(string? prefix) =>
        prefix is not null && Pattern().IsMatch(prefix)
            ? prefix
            : throw new ArgumentException($"users prefix '{prefix}' is invalid: it must match ^[a-z_]+$ (lowercase letters and underscores, no digits)", nameof(prefix));

    /// <summary>A LIKE pattern (escape character <c>\</c>) matching every role <c>&lt;prefix&gt;_...</c>, with every metacharacter escaped.</summary>
    public static string RoleLikePattern(string prefix) => EscapeLike(prefix) + @"\_%";

    internal static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z_]+$")]
    private static partial Regex Pattern();
}
