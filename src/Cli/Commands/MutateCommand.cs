using System.Globalization;
using Tcdb.Mutation;
using Tcdb.Verification;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb mutate</c>: how many realistic mistakes in each version the checks and the version's tests would catch.</summary>
public sealed class MutateCommand : ICommand
{
    public string Name => "mutate";

    public string Summary => "measure how many realistic mistakes in each version the checks and version tests catch";

    public string Usage => $"""
        usage: tcdb mutate [--db-dir DIR] [--versions A..B] [--tests PROJECT] [--report FILE] [--min-score PERCENT]
                           [--admin-db-url URL | [--server KIND] [--pg MAJOR]] [--jobs N] [--seed N] [--rows N]
                           [--waivers FILE] [--releases FILE] [--version-timeout DURATION]

        For each version, mutants of its SQL: one statement of the downgrade dropped (drop, revoke, grant,
        alter, update, insert, delete, create index) or one action of its alter table; one data statement or
        revoke of the migration dropped; one where condition dropped (data statements of the scripts, method
        bodies, functions the scripts create); a grant to another service; if exists removed; < and <=
        (> and >=) swapped and for update removed in method bodies and functions the scripts create. Each
        mutant runs the checks of tcdb verify on a clone of the version's seeded template at N-1: a defect
        the original version does not have kills it. A mutant nothing kills whose catalog and rows after the
        upgrade and after the downgrade equal the original's is equivalent and discarded; one that edits a
        script is also upgraded on to the latest version (grants and columns); then, with --tests, the
        version's own NUnit test runs on a copy of the directory holding the mutant. Survivors are printed as
        the exact edit. Score = killed / (killed + survived), per version and in total.

          --db-dir DIR        the db directory (default ./db)
          --versions A..B     mutate only versions A to B (also A.. or ..B)
          --tests PROJECT     an NUnit project with the version tests (VNNNNTest classes, e.g. tests/versions):
                              built once, run with dotnet test --filter FullyQualifiedName~VNNNNTest on each
                              mutant nothing else killed
          --report FILE       also write a report: .json or .md
          --min-score P       exit 1 when the total score is below P percent (default: no threshold)
          --admin-db-url URL  a server to use (superuser URL); tcdb creates and drops its own databases there
          --server KIND       otherwise local: a throwaway cluster (the default), or docker[:IMAGE]
          --pg MAJOR          the major of that server (default $PG_VERSION or 15)
          --jobs N            mutants of a version checked side by side (default: number of cores)
          --seed N, --rows N  seed and rows per table of the generated data (defaults {VerifyOptions.DefaultSeed} and {VerifyOptions.DefaultRowsPerTable}), as for verify
          --waivers FILE, --releases FILE, --version-timeout D   as for tcdb verify

        exit codes: 0 done (and the score reaches --min-score), 1 the score is below --min-score,
                    2 unusable input (directory, arguments, server, a --tests project that does not build)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string>(["db-dir", "admin-db-url", "server", "pg", "versions", "jobs", "tests", "report", "min-score", "seed", "rows", "waivers", "releases", "version-timeout"]);

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string>(["help"]);

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var serverChoice = ServerOption.Resolve(args);
        var report = ReportOption.Get(args, MutationReportWriter.SupportedExtensions, ".json or .md");

        var jobs = args.GetInt("jobs") ?? Environment.ProcessorCount;
        if (jobs < 1)
        {
            throw new UsageException("--jobs must be at least 1");
        }

        var minScore = args.GetInt("min-score");
        if (minScore > 100)
        {
            throw new UsageException($"--min-score {minScore}: a percentage, 0 to 100");
        }

        var versionTimeout = args.GetDuration("version-timeout") ?? VerifyOptions.DefaultVersionTimeout;
        var tests = args.Get("tests");
        if (tests is not null && !File.Exists(tests) && !Directory.Exists(tests))
        {
            throw new UsageException($"--tests {tests}: no such project file or directory; name the NUnit project holding the version tests (e.g. tests/versions)");
        }

        // A mutant is a copy of the directory with one version changed: a serialized schema cannot be mutated.
        var source = DbDirectoryOption.Source(args);
        var schema = DbDirectoryOption.Load(args, serializedAllowed: false);
        var waivers = DbDirectoryOption.Waivers(args);
        var releases = DbDirectoryOption.Releases(args);
        var (from, to) = VersionsOption.Parse(args, schema);
        var log = context.Out;
        var mutants = Enumerable.Range(from, to - from + 1).ToDictionary(v => v, v => MutantGenerator.Generate(schema, v));
        log.WriteLine($"tcdb mutate: {source}: versions {from}..{to} of {schema.LatestVersion}, {mutants.Values.Sum(m => m.Count)} mutant(s), {jobs} job(s)");

        await using var server = await ServerOption.StartAsync(args, serverChoice, log, context.CancellationToken);

        var engine = new MutationEngine(server, new MutationOptions
        {
            Schema = schema,
            FromVersion = from,
            ToVersion = to,
            Mutants = mutants,
            Jobs = jobs,
            Seed = args.GetInt("seed") ?? VerifyOptions.DefaultSeed,
            RowsPerTable = args.GetInt("rows") ?? VerifyOptions.DefaultRowsPerTable,
            Waivers = waivers,
            Releases = releases,
            VersionTimeout = versionTimeout,
            VersionTests = tests is null ? null : new DotnetVersionTests(tests, versionTimeout + TimeSpan.FromMinutes(5)),
            Progress = ConsoleText.Progress(log),
        });

        MutationReport result;
        try
        {
            result = await engine.RunAsync(context.CancellationToken);
        }
        catch (MutationSetupException e)
        {
            context.Error.WriteLine($"tcdb mutate: {e.Message}");
            return ExitCodes.UnusableInput;
        }

        log.WriteLine();
        log.Write(MutationReportWriter.Text(result));
        if (report is not null)
        {
            MutationReportWriter.Write(result, report);
            log.WriteLine($"report: {report}");
        }

        var perMutant = result.MillisecondsPerMutant is { } ms ? string.Create(CultureInfo.InvariantCulture, $", {ms / 1000:0.00} s per mutant at {result.Jobs} job(s)") : string.Empty;
        var below = minScore is { } min && (result.Score ?? 1) * 100 < min;
        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{(below ? "FAILED" : "done")}: mutation score {MutationScore.Format(result.Score)} ({result.Killed} killed, {result.Survived} survived, {result.Equivalent} equivalent discarded){(minScore is { } m ? $", minimum {m}%" : string.Empty)} in {result.Elapsed.TotalSeconds:0.0} s{perMutant}"));
        return below ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
