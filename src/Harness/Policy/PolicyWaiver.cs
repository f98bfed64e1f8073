using Tcdb.Schema;
using Tcdb.Schema.Documents;

namespace Tcdb.Policy;

/// <summary>
/// An accepted breach of one rule for one object, with the written reason the seed asks for
/// ("when we have a good reason to not follow the best practices, we document why").
/// </summary>
public sealed record PolicyWaiver(string Rule, string Object, string Reason, SourceLocation? Location = null)
{
    /// <summary>The default waiver file of a db directory.</summary>
    public const string DefaultFileName = "policy-waivers.yml";

    /// <summary>Shortest accepted reason, so "ok" or "n/a" cannot pass as documentation.</summary>
    public const int MinimumReasonLength = 15;

    public bool Matches(PolicyFinding finding) => finding.RuleId == Rule && finding.Object == Object;

    /// <summary>
    /// Reads a waiver file: a YAML list of <c>{rule, object, reason}</c>. Unknown rules, missing or short reasons,
    /// unknown keys and repeated waivers are errors, all reported together.
    /// </summary>
    /// <exception cref="SchemaLoadException">The file is missing or invalid.</exception>
    public static IReadOnlyList<PolicyWaiver> Load(string path)
    {
        var file = Path.GetFileName(path);
        var waivers = new List<PolicyWaiver>();
        string[] keys = ["rule", "object", "reason"];
        var expected = $"expected a list of entries with {Fields.Join(keys)}, e.g. '- rule: select-star' / '  object: get_widgets' / '  reason: ...'";
        EntryList.Read(path, "waiver file", "waiver", keys, expected, (entry, errors) =>
        {
            var rule = Required(entry, "rule");
            var obj = Required(entry, "object");
            var reason = Required(entry, "reason");
            if (rule is not null && PolicyRules.Find(rule.Value) is null)
            {
                errors.Add(rule.Location, $"{file}: unknown rule '{rule.Value}'; expected one of {string.Join(", ", PolicyRules.All.Select(r => r.Id))}");
            }

            if (reason is not null && reason.Value.Trim().Length < MinimumReasonLength)
            {
                errors.Add(reason.Location, $"{file}: the reason '{reason.Value.Trim()}' is too short; expected a sentence (at least {MinimumReasonLength} characters) saying why the practice does not apply");
            }

            if (rule is null || obj is null || reason is null)
            {
                return;
            }

            if (waivers.FirstOrDefault(w => w.Rule == rule.Value && w.Object == obj.Value) is { } same)
            {
                errors.Add(entry.Location, $"{file}: rule {rule.Value} is already waived for {obj.Value} at line {same.Location?.Line}; expected one waiver per rule and object");
                return;
            }

            waivers.Add(new PolicyWaiver(rule.Value, obj.Value, reason.Value.Trim(), entry.Location));

            DocScalar? Required(DocMapping mapping, string key)
            {
                var value = Fields.Text(mapping.Get(key), errors, $"{file}: {key}");
                if (value is null || value.Value.Trim().Length == 0)
                {
                    errors.Add(mapping.KeyOf(key)?.Location ?? mapping.Location, $"{file}: waiver without {key}; {expected}");
                    return null;
                }

                return value;
            }
        });
        return waivers;
    }
}
