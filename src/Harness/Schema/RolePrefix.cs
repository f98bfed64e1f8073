using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Tcdb.Schema;

/// <summary>
/// The role prefix of a deployment (what <c>$db_user_prefix$</c> stands for in scripts): the service role of
/// service <c>s</c> is <c>&lt;prefix&gt;_&lt;s with '-' replaced by '_'&gt;</c>. Only lowercase ASCII letters and
/// underscores are allowed (no digits), as in Taskcluster. Roles are cluster-wide, so each run that creates
/// databases of its own also uses a role prefix of its own (<see cref="Random"/>).
/// </summary>
public readonly partial record struct RolePrefix
{
    private readonly string? value;

    private RolePrefix(string value) => this.value = value;

    /// <summary>The prefix as written, without the separating underscore.</summary>
    public string Value => value ?? throw new InvalidOperationException("an unset role prefix has no value");

    /// <summary>How every service role's name starts: the prefix and <c>_</c>.</summary>
    public string RoleNameStart => Value + "_";

    /// <summary>The prefix <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">it does not match <c>^[a-z_]+$</c>.</exception>
    public static RolePrefix Parse(string? text) =>
        text is not null && Rule().IsMatch(text)
            ? new RolePrefix(text)
            : throw new ArgumentException($"role prefix '{text}' is invalid: it must match ^[a-z_]+$ (lowercase letters and underscores, no digits)", nameof(text));

    /// <summary>A prefix of its own for one run: <paramref name="stem"/>, <c>_</c> and eight random letters.</summary>
    public static RolePrefix Random(string stem) =>
        Parse(stem + "_" + new string([.. Enumerable.Range(0, 8).Select(_ => (char)('a' + System.Random.Shared.Next(26)))]));

    /// <summary>
    /// A prefix that is the same in every run for the same <paramref name="seed"/>: <paramref name="stem"/>,
    /// <c>_</c> and eight letters derived from the seed's SHA-256.
    /// </summary>
    public static RolePrefix Derived(string stem, string seed) =>
        Parse(stem + "_" + new string([.. SHA256.HashData(Encoding.UTF8.GetBytes(seed)).Take(8).Select(b => (char)('a' + (b % 26)))]));

    /// <summary>The service role of <paramref name="service"/> (a service name as written in access.yml).</summary>
    public string RoleFor(string service) => RoleNameStart + service.Replace('-', '_');

    /// <summary>Whether <paramref name="role"/> is named like a service role of this prefix.</summary>
    public bool Matches(string role) => role.StartsWith(RoleNameStart, StringComparison.Ordinal);

    /// <summary>Replaces every <c>$db_user_prefix$</c> of a migration or downgrade script with the prefix, as plain text.</summary>
    public string SubstituteIn(string script) => script.Replace(Placeholder, Value, StringComparison.Ordinal);

    /// <summary>The placeholder replaced by the role prefix in migration and downgrade scripts (never in bodies).</summary>
    public const string Placeholder = "$db_user_prefix$";

    public override string ToString() => Value;

    [GeneratedRegex("^[a-z_]+$")]
    private static partial Regex Rule();
}
