using System.Globalization;
using System.Text;
using Tcdb.Schema;
using Tcdb.Schema.Documents;

namespace Tcdb.Verification;

/// <summary>
/// A finding the project knows about and keeps, with the written reason: released versions may not be
/// edited, so a defect of a released version is accepted rather than fixed in place. An accepted finding
/// is reported as accepted and does not fail verification. Matched by version, kind and object.
/// </summary>
public sealed record AcceptedFinding(int? Version, string Kind, string Object, string Reason, SourceLocation? Location = null)
{
    /// <summary>The default file of a db directory.</summary>
    public const string DefaultFileName = "accepted-findings.yml";

    public bool Matches(VerificationFinding finding) =>
        finding.Version == Version && VerificationFinding.KindId(finding.Kind) == Kind && finding.Object == Object;

    /// <summary>
    /// Reads a YAML list of <c>{version, kind, object, reason}</c> (<c>version</c> omitted for findings about the
    /// whole directory). Every entry needs a reason; unknown kinds and keys are errors, reported together.
    /// </summary>
    /// <exception cref="SchemaLoadException">The file is missing or invalid.</exception>
    public static IReadOnlyList<AcceptedFinding> Load(string path)
    {
        var file = Path.GetFileName(path);
        var accepted = new List<AcceptedFinding>();
        string[] keys = ["version", "kind", "object", "reason"];
        var kinds = Enum.GetValues<VerificationFindingKind>().Select(VerificationFinding.KindId).ToList();
        const string Expected = "expected a list of entries like '- version: 12' / '  kind: data-changed' / '  object: table public.tasks' / '  reason: ...'";
        EntryList.Read(path, "accepted-findings file", "entry", keys, Expected, (entry, errors) =>
        {
            var version = Fields.Text(entry.Get("version"), errors, $"{file}: version");
            var kind = Fields.Text(entry.Get("kind"), errors, $"{file}: kind");
            var obj = Fields.Text(entry.Get("object"), errors, $"{file}: object");
            var reason = Fields.Text(entry.Get("reason"), errors, $"{file}: reason");
            int? number = null;
            if (version is not null)
            {
                if (int.TryParse(version.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    number = n;
                }
                else
                {
                    errors.Add(version.Location, $"{file}: version '{version.Value}' is not a version number");
                }
            }

            if (kind is null || obj is null)
            {
                errors.Add(entry.Location, $"{file}: an entry needs a kind and an object; {Expected}");
                return;
            }

            if (!kinds.Contains(kind.Value))
            {
                errors.Add(kind.Location, $"{file}: unknown kind '{kind.Value}'; expected one of {string.Join(", ", kinds)}");
            }

            if (reason is null || reason.Value.Trim().Length == 0)
            {
                errors.Add(reason?.Location ?? entry.Location, $"{file}: the entry for {(number is { } v ? $"version {v}, " : string.Empty)}{kind.Value} {obj.Value} has no reason; write why the finding is accepted (e.g. the version is released and a later version fixes it)");
                return;
            }

            accepted.Add(new AcceptedFinding(number, kind.Value, obj.Value, reason.Value.Trim(), entry.Location));
        });
        return accepted;
    }

    /// <summary>The findings as an accepted-findings file with empty reasons, for the author to fill in.</summary>
    public static string Render(IEnumerable<VerificationFinding> findings)
    {
        var text = new StringBuilder("# Findings accepted by this project: each needs a reason before the file loads.\n");
        foreach (var finding in findings)
        {
            text.Append(CultureInfo.InvariantCulture, $"- # {finding.ToLine(200)}\n");
            if (finding.Version is { } v)
            {
                text.Append(CultureInfo.InvariantCulture, $"  version: {v}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"  kind: {VerificationFinding.KindId(finding.Kind)}\n");
            text.Append(CultureInfo.InvariantCulture, $"  object: {YamlQuoted(finding.Object)}\n");
            text.Append("  reason: \"\"\n");
        }

        return text.ToString();
    }

    private static string YamlQuoted(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
