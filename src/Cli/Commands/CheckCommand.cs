using Tcdb.Policy;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb check</c>: load a db directory (or its JSON form), run the policy rules, print findings.</summary>
public sealed class CheckCommand : ICommand
{
    public string Name => "check";

    public string Summary => "validate a db directory and check it against the best practices";

    public string Usage => """
        usage: tcdb check [--db-dir DIR] [--errors-only] [--waivers FILE]

        Loads DIR (default ./db; a serialized schema .json file also works), reports every load error with
        file:line:column, then runs the policy rules and prints each finding as file:line: rule: severity: message.

          --db-dir DIR     the db directory (versions/, access.yml, tables.yml) or a schema .json file
          --errors-only    report and fail on error-severity findings only (warnings are advice)
          --waivers FILE   waiver file (default DIR/policy-waivers.yml when it exists)

        exit codes: 0 no finding, 1 findings, 2 the directory, schema or waiver file cannot be loaded (or bad arguments)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "db-dir", "waivers" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "errors-only" };

    public Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}' (use --db-dir DIR)");
        }

        var source = DbDirectoryOption.Source(args);
        var schema = DbDirectoryOption.Load(args);
        var waivers = DbDirectoryOption.Waivers(args);

        var report = PolicyChecker.Check(schema, waivers);
        var errorsOnly = args.Has("errors-only");
        var shown = report.Findings.Where(f => !errorsOnly || f.Severity == PolicySeverity.Error).ToList();
        foreach (var finding in shown)
        {
            context.Out.WriteLine(finding.ToString());
        }

        var waived = report.Waived.Count > 0 ? $", {report.Waived.Count} waived" : string.Empty;
        var methods = schema.EffectiveMethods().Count;
        context.Out.WriteLine(
            $"tcdb check: {source}: {Count(schema.LatestVersion, "version")}, {Count(methods, "method")}: " +
            $"{Count(report.ErrorCount, "error")}, {Count(report.WarningCount, "warning")}{(errorsOnly ? " (warnings not counted)" : string.Empty)}{waived}");
        return Task.FromResult(shown.Count > 0 ? ExitCodes.Findings : ExitCodes.Ok);
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
