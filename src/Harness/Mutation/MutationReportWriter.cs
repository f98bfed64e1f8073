using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tcdb.Reporting;

namespace Tcdb.Mutation;

/// <summary>Writes a <see cref="MutationReport"/> as JSON or Markdown (chosen by the extension), or as console text.</summary>
public static class MutationReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<string> SupportedExtensions { get; } = [".json", ".md"];

    /// <exception cref="ArgumentException">the extension is neither .json nor .md.</exception>
    public static void Write(MutationReport report, string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => Json(report),
            ".md" => Markdown(report),
            var other => throw new ArgumentException($"unknown report format '{other}' for {path}: use .json or .md"),
        };
        ReportFiles.Write(path, text);
    }

    public static string Json(MutationReport report) => JsonSerializer.Serialize(
        new
        {
            dbDirectory = report.DbDirectory,
            server = report.Server,
            versions = new { from = report.FromVersion, to = report.ToVersion },
            versionTests = report.VersionTests,
            jobs = report.Jobs,
            elapsedSeconds = Math.Round(report.Elapsed.TotalSeconds, 3),
            millisecondsPerMutant = report.MillisecondsPerMutant is { } ms ? Math.Round(ms, 1) : (double?)null,
            killed = report.Killed,
            survived = report.Survived,
            equivalent = report.Equivalent,
            score = Rounded(report.Score),
            results = report.Versions.Select(v => new
            {
                version = v.Version,
                generated = v.Generated,
                notRun = v.NotRun,
                versionTestNote = v.VersionTestNote,
                originalDefects = v.OriginalDefects,
                killed = v.Killed,
                survived = v.Survived,
                equivalent = v.Equivalent,
                score = Rounded(v.Score),
                setupMilliseconds = Math.Round(v.SetupMilliseconds, 1),
                milliseconds = Math.Round(v.Milliseconds, 1),
                mutants = v.Mutants.Select(m => new
                {
                    id = m.Mutant.Id,
                    @operator = Mutant.OperatorId(m.Mutant.Operator),
                    where = m.Mutant.Where,
                    file = m.Mutant.Location?.File,
                    line = m.Mutant.Location?.Line,
                    summary = m.Mutant.Summary,
                    before = m.Mutant.Before,
                    after = m.Mutant.After,
                    status = m.Status.ToString().ToLowerInvariant(),
                    killedBy = m.Checks.Select(MutationChecks.Id),
                    findings = m.Kills.Select(k => new { check = MutationChecks.Id(k.Check), finding = k.Finding }),
                    warnings = m.Warnings,
                    milliseconds = Math.Round(m.Milliseconds, 1),
                }),
            }),
        },
        JsonOptions);

    public static string Markdown(MutationReport report)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# tcdb mutate: {report.DbDirectory}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Mutation score **{MutationScore.Format(report.Score)}**: {report.Killed} killed, {report.Survived} survived ({report.Equivalent} equivalent, discarded), ");
        md.Append(CultureInfo.InvariantCulture, $"versions {report.FromVersion}..{report.ToVersion} on {report.Server}, {report.Jobs} job(s), {report.Elapsed.TotalSeconds:0.0} s");
        md.Append(report.MillisecondsPerMutant is { } ms ? string.Create(CultureInfo.InvariantCulture, $", {ms / 1000:0.00} s per mutant") : string.Empty);
        md.Append(report.VersionTests is { } tests ? $"; version tests: `{tests}`" : string.Empty).Append(".\n\n");

        md.Append("| version | mutants | killed | survived | equivalent | score | note |\n|---|---|---|---|---|---|---|\n");
        foreach (var v in report.Versions)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {v.Version} | {v.Generated} | {v.Killed} | {v.Survived} | {v.Equivalent} | {MutationScore.Format(v.Score)} | {ReportFiles.MarkdownCell(v.NotRun ?? v.VersionTestNote ?? string.Empty)} |\n");
        }

        md.Append(CultureInfo.InvariantCulture, $"| **total** | {report.Versions.Sum(v => v.Generated)} | {report.Killed} | {report.Survived} | {report.Equivalent} | **{MutationScore.Format(report.Score)}** | |\n\n");

        var all = report.Versions.SelectMany(v => v.Mutants).ToList();
        var byCheck = all.SelectMany(m => m.Checks).GroupBy(c => c).OrderBy(g => g.Key).ToList();
        if (byCheck.Count > 0)
        {
            md.Append("## Killed by\n\nA mutant killed by several checks counts for each.\n\n| check | mutants |\n|---|---|\n");
            foreach (var group in byCheck)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {MutationChecks.Id(group.Key)} | {group.Count()} |\n");
            }

            md.Append('\n');
        }

        var withDefects = report.Versions.Where(v => v.OriginalDefects.Count > 0).ToList();
        if (withDefects.Count > 0)
        {
            md.Append("## Defects of the original versions\n\nA mutant is killed only by a finding the original does not have; these are the original's own.\n\n");
            foreach (var v in withDefects)
            {
                foreach (var defect in v.OriginalDefects)
                {
                    md.Append(CultureInfo.InvariantCulture, $"- {ReportFiles.MarkdownCell(defect)}\n");
                }
            }

            md.Append('\n');
        }

        Section(md, "Survivors: mistakes nothing catches", all.Where(m => m.Status == MutantStatus.Survived));
        Section(md, "Equivalent mutants (discarded: same catalog and rows as the original)", all.Where(m => m.Status == MutantStatus.Equivalent));

        if (all.Count > 0)
        {
            md.Append("## Every mutant\n\n| mutant | operator | where | verdict |\n|---|---|---|---|\n");
            foreach (var m in all)
            {
                var verdict = m.Status == MutantStatus.Killed ? "killed: " + string.Join(", ", m.Checks.Select(MutationChecks.Id)) : m.Status.ToString().ToLowerInvariant();
                md.Append(CultureInfo.InvariantCulture, $"| {m.Mutant.Id} | {Mutant.OperatorId(m.Mutant.Operator)} | {ReportFiles.MarkdownCell(m.Mutant.Where)} | {verdict} |\n");
            }
        }

        return md.ToString();
    }

    /// <summary>The console lines after a run: every survivor as its edit, then the score per version and in total.</summary>
    public static string Text(MutationReport report)
    {
        var text = new StringBuilder();
        foreach (var m in report.Versions.SelectMany(v => v.Mutants).Where(m => m.Status == MutantStatus.Survived))
        {
            text.Append(CultureInfo.InvariantCulture, $"survived {m.Mutant}\n");
            AppendEdit(text, m.Mutant, "    ");
            foreach (var warning in m.Warnings)
            {
                text.Append(CultureInfo.InvariantCulture, $"    (warned, not failed: {warning})\n");
            }
        }

        foreach (var v in report.Versions)
        {
            if (v.NotRun is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"v{v.Version:D4}: {v.Generated} mutant(s) not run: {v.NotRun}\n");
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"v{v.Version:D4}: score {MutationScore.Format(v.Score)} ({v.Killed} killed, {v.Survived} survived, {v.Equivalent} equivalent of {v.Generated})");
            if (v.OriginalDefects.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; the original has {v.OriginalDefects.Count} defect(s) of its own (see tcdb verify), which kill no mutant");
            }

            text.Append(v.VersionTestNote is { } note ? "; " + note : string.Empty).Append('\n');
        }

        return text.ToString();
    }

    private static void Section(StringBuilder md, string title, IEnumerable<MutantResult> mutants)
    {
        var list = mutants.ToList();
        if (list.Count == 0)
        {
            return;
        }

        md.Append(CultureInfo.InvariantCulture, $"## {title}\n\n");
        foreach (var m in list)
        {
            var location = m.Mutant.Location is { } l ? $" ({l.File}:{l.Line})" : string.Empty;
            md.Append(CultureInfo.InvariantCulture, $"### {m.Mutant.Id} {Mutant.OperatorId(m.Mutant.Operator)}: {m.Mutant.Where}{location}\n\n{m.Mutant.Summary}\n\n```diff\n");
            AppendEdit(md, m.Mutant, string.Empty);
            md.Append("```\n\n");
            foreach (var warning in m.Warnings)
            {
                md.Append(CultureInfo.InvariantCulture, $"- warned, not failed: {ReportFiles.MarkdownCell(warning)}\n");
            }

            md.Append(m.Warnings.Count > 0 ? "\n" : string.Empty);
        }
    }

    private static void AppendEdit(StringBuilder text, Mutant mutant, string indent)
    {
        foreach (var line in mutant.Before.Split('\n'))
        {
            text.Append(indent).Append("- ").Append(line.TrimEnd('\r')).Append('\n');
        }

        foreach (var line in mutant.After.Length == 0 ? [] : mutant.After.Split('\n'))
        {
            text.Append(indent).Append("+ ").Append(line.TrimEnd('\r')).Append('\n');
        }
    }

    private static double? Rounded(double? score) => score is { } s ? Math.Round(s, 4) : null;
}
