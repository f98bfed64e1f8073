using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Tcdb.Reporting;

namespace Tcdb.Verification.Reports;

/// <summary>Writes a <see cref="VerificationReport"/> as JSON, Markdown or JUnit XML, chosen by the file extension.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };


    public static IReadOnlyList<string> SupportedExtensions { get; } = [".json", ".md", ".xml"];

    /// <summary>Writes <paramref name="report"/> to <paramref name="path"/> (.json, .md, or .xml for JUnit).</summary>
    /// <exception cref="ArgumentException">the extension is none of <see cref="SupportedExtensions"/>.</exception>
    public static void Write(VerificationReport report, string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => Json(report),
            ".md" => Markdown(report),
            ".xml" => JUnit(report),
            var other => throw new ArgumentException($"unknown report format '{other}' for {path}: use .json, .md or .xml (JUnit)"),
        };
        ReportFiles.Write(path, text);
    }

    public static string Json(VerificationReport report) => JsonSerializer.Serialize(
        new
        {
            dbDirectory = report.DbDirectory,
            server = report.Server,
            versions = new { from = report.FromVersion, to = report.ToVersion },
            elapsedSeconds = Math.Round(report.Elapsed.TotalSeconds, 3),
            defects = report.DefectCount,
            warnings = report.WarningCount,
            notes = report.InfoCount,
            accepted = report.AcceptedCount,
            findings = report.Findings.Select(f => new
            {
                severity = f.Severity.ToString().ToLowerInvariant(),
                kind = VerificationFinding.KindId(f.Kind),
                version = f.Version,
                @object = f.Object,
                message = f.Message,
                occurrences = f.Occurrences,
                accepted = f.AcceptedReason,
            }),
            results = report.Versions.Select(v => new
            {
                version = v.Version,
                ok = !v.HasDefects,
                seededRows = v.SeededRows,
                rows = v.Rows is var (before, atN, after) ? new { beforeUpgrade = before, atN, afterDowngrade = after } : null,
                milliseconds = v.PhaseMilliseconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 1)),
                notes = v.Notes,
            }),
        },
        Indented);

    public static string Markdown(VerificationReport report)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# tcdb verify: {report.DbDirectory}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{(report.HasDefects ? "**FAILED**" : "**passed**")}: versions {report.FromVersion}..{report.ToVersion} on {report.Server}, ");
        md.Append(CultureInfo.InvariantCulture, $"{report.DefectCount} defect(s), {report.WarningCount} warning(s), {report.Elapsed.TotalSeconds:0.0} s.\n\n");
        if (report.Findings.Count > 0)
        {
            md.Append("## Findings\n\n| version | severity | kind | object | message |\n|---|---|---|---|---|\n");
            foreach (var f in report.Findings)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {(f.Version is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-")} | {f.Severity.ToString().ToLowerInvariant()} | {VerificationFinding.KindId(f.Kind)} | {ReportFiles.MarkdownCell(f.Object)} | {ReportFiles.MarkdownCell(f.Message)} |\n");
            }

            md.Append('\n');
        }

        md.Append("## Versions\n\n| version | result | ms | rows seeded | notes |\n|---|---|---|---|---|\n");
        foreach (var v in report.Versions)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {v.Version} | {(v.HasDefects ? "defects" : "ok")} | {v.TotalMilliseconds:0} | {v.SeededRows} | {ReportFiles.MarkdownCell(string.Join("; ", v.Notes))} |\n");
        }

        return md.ToString();
    }

    /// <summary>
    /// JUnit XML for CI: always the same test cases for the same range, so counts compare across runs: <c>policy</c>
    /// (the static rules), one <c>vNNNN</c> per version of the range (verified or not), and <c>chain</c> (the whole-chain
    /// checks). Each defect is its own <c>&lt;failure&gt;</c>; warnings and notes go to <c>&lt;system-out&gt;</c>.
    /// </summary>
    public static string JUnit(VerificationReport report)
    {
        var ownFindings = report.Versions.SelectMany(v => v.Findings).ToHashSet(ReferenceEqualityComparer.Instance);
        var engine = report.Findings.Where(f => !ownFindings.Contains(f)).ToList();
        var policy = engine.Where(f => f.Version is null || f.Kind is VerificationFindingKind.Policy).ToList();
        var notVerified = engine.Where(f => f.Kind is VerificationFindingKind.NotVerified && f.Version is not null).ToList();
        var chain = engine.Except(policy).Except(notVerified).ToList();

        var cases = new List<XElement> { Case("policy", "policy", 0, policy, []) };
        var results = report.Versions.ToDictionary(v => v.Version);
        for (var version = report.FromVersion; version <= report.ToVersion; version++)
        {
            var result = results.GetValueOrDefault(version);
            var findings = (result?.Findings ?? []).Concat(notVerified.Where(f => f.Version == version)).ToList();
            cases.Add(Case("versions", $"v{version:D4}", result?.TotalMilliseconds ?? 0, findings, result?.Notes ?? []));
        }

        cases.Add(Case("chain", "chain", 0, chain, []));

        var suite = new XElement(
            "testsuite",
            new XAttribute("name", $"tcdb verify {report.DbDirectory}"),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", cases.Count(c => c.Element("failure") is not null)),
            new XAttribute("errors", 0),
            new XAttribute("time", report.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)),
            cases);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite)).ToString() + "\n";
    }

    private static XElement Case(string className, string name, double milliseconds, IReadOnlyList<VerificationFinding> findings, IReadOnlyList<string> notes)
    {
        var element = new XElement(
            "testcase",
            new XAttribute("classname", className),
            new XAttribute("name", name),
            new XAttribute("time", (milliseconds / 1000).ToString("0.000", CultureInfo.InvariantCulture)));
        foreach (var defect in findings.Where(f => f.IsDefect))
        {
            element.Add(new XElement(
                "failure",
                new XAttribute("type", VerificationFinding.KindId(defect.Kind)),
                new XAttribute("message", defect.Message.ReplaceLineEndings(" ")),
                defect.ToString()));
        }

        var output = findings.Where(f => !f.IsDefect).Select(f => f.ToString()).Concat(notes).ToList();
        if (output.Count > 0)
        {
            element.Add(new XElement("system-out", string.Join("\n", output)));
        }

        return element;
    }
}
