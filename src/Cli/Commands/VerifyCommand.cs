using System.Globalization;
using Tcdb.Policy;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Verification;
using Tcdb.Verification.Reports;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb verify</c>: the main job — every version's upgrade, downgrade and re-upgrade, and the whole chain.</summary>
public sealed class VerifyCommand : ICommand
{
    public string Name => "verify";

    public string Summary => "verify every version of a db directory against a real PostgreSQL";

    public string Usage => """
        usage: tcdb verify [--db-dir DIR] [--admin-db-url URL | [--server KIND] [--pg MAJOR]] [--versions A..B] [--jobs N]
                           [--report FILE] [--strict] [--seed N] [--rows N] [--waivers FILE]

        For each version N: a database at N-1 is seeded with generated rows and snapshotted, upgraded to N
        (with its online migration), checked, downgraded (catalog and rows must equal the snapshot: no
        stray or missing objects, no lost or altered data), upgraded again (the catalog must equal the first
        upgrade's), every stored function is called after each step, and versions with online work are
        interrupted and resumed. Then the whole chain 0 -> latest -> 0 -> latest: nothing may remain at 0,
        and at the latest version grants must equal access.yml and columns tables.yml. Policy errors of
        `tcdb check` are defects; warnings are reported, never fatal.

          --db-dir DIR        the db directory (default ./db), or a schema .json file
          --admin-db-url URL  a server to use (superuser URL); tcdb creates and drops its own databases there
          --server KIND       otherwise local: a throwaway cluster (the default), or docker[:IMAGE]: a container
                              of IMAGE (default postgres:<major>) through Testcontainers (default $TCDB_SERVER)
          --pg MAJOR          the major of that server (default $PG_VERSION or 15)
          --versions A..B     verify only versions A to B (also A.. or ..B; the whole chain runs only for 1..latest)
          --jobs N            chain segments verified side by side (default: number of cores)
          --report FILE       also write a report: .json, .md, or .xml (JUnit)
          --strict            an upgrade that only fails on generic seed rows is a defect, not a warning
          --seed N            seed of the generated data and of random interruptions (default 1)
          --rows N            rows per table the generic seeder inserts (default 60)
          --waivers FILE      policy waiver file (default DIR/policy-waivers.yml when it exists)

        exit codes: 0 everything holds, 1 defects found, 2 unusable input (directory, arguments, server)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "db-dir", "admin-db-url", "server", "pg", "versions", "jobs", "report", "seed", "rows", "waivers" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "strict", "help" };

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        if (args.Has("admin-db-url") && (args.Has("pg") || args.Has("server")))
        {
            throw new UsageException("give either --admin-db-url or --server/--pg, not both");
        }

        var serverChoice = args.Has("admin-db-url") ? ServerChoice.Local : ServerOption.Resolve(args);

        var report = args.Get("report");
        if (report is not null && !ReportWriter.SupportedExtensions.Contains(Path.GetExtension(report).ToLowerInvariant()))
        {
            throw new UsageException($"--report {report}: the extension chooses the format: .json, .md or .xml (JUnit)");
        }

        var jobs = args.GetInt("jobs") ?? Environment.ProcessorCount;
        if (jobs < 1)
        {
            throw new UsageException("--jobs must be at least 1");
        }

        var source = args.Get("db-dir", "db");
        DbSchema schema;
        IReadOnlyList<PolicyWaiver> waivers;
        try
        {
            schema = source.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? SchemaJson.ReadFile(source) : SchemaLoader.Load(source);
            var waiverFile = args.Get("waivers") ?? (Directory.Exists(source) ? Path.Combine(source, "policy-waivers.yml") : null);
            waivers = waiverFile is not null && (args.Has("waivers") || File.Exists(waiverFile)) ? PolicyWaiver.Load(waiverFile) : [];
        }
        catch (SchemaLoadException e)
        {
            context.Error.WriteLine($"tcdb verify: cannot load {source}:");
            context.Error.WriteLine(e.Message);
            return ExitCodes.UnusableInput;
        }

        var (from, to) = ParseRange(args.Get("versions"), schema.LatestVersion);
        var log = context.Out;
        var gate = new object();
        log.WriteLine($"tcdb verify: {source}: versions {from}..{to} of {schema.LatestVersion}, {jobs} job(s)");

        await using var server = args.Get("admin-db-url") is { } url
            ? await ExternalServer.ConnectAsync(url, context.CancellationToken)
            : await PostgresServers.StartAsync(serverChoice, args.GetInt("pg") ?? PostgresServers.MajorFromEnvironment(), context.CancellationToken);
        log.WriteLine($"server: {server.Description}");

        var engine = new VerifyEngine(server, new VerifyOptions
        {
            Schema = schema,
            FromVersion = from,
            ToVersion = to,
            Jobs = jobs,
            Strict = args.Has("strict"),
            Seed = args.GetInt("seed") ?? 1,
            RowsPerTable = args.GetInt("rows") ?? 60,
            Waivers = waivers,
            Progress = line =>
            {
                lock (gate)
                {
                    log.WriteLine(line);
                }
            },
        });
        var result = await engine.RunAsync(context.CancellationToken);

        log.WriteLine();
        foreach (var finding in result.Findings)
        {
            log.WriteLine(finding.ToString());
        }

        if (report is not null)
        {
            ReportWriter.Write(result, report);
            log.WriteLine($"report: {report}");
        }

        log.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{(result.HasDefects ? "FAILED" : "passed")}: {result.Versions.Count} version(s) verified, {result.DefectCount} defect(s), {result.WarningCount} warning(s) in {result.Elapsed.TotalSeconds:0.0} s"));
        return result.HasDefects ? ExitCodes.Findings : ExitCodes.Ok;
    }

    /// <summary>Parses <c>A..B</c>, <c>A..</c>, <c>..B</c> or <c>A</c>.</summary>
    internal static (int From, int To) ParseRange(string? text, int latest)
    {
        if (text is null)
        {
            return (1, latest);
        }

        var parts = text.Split("..", 2);
        int Parse(string s, int fallback) => s.Length == 0
            ? fallback
            : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"--versions {text}: '{s}' is not a version number");
        var from = Parse(parts[0], 1);
        var to = parts.Length == 2 ? Parse(parts[1], latest) : from;
        if (from < 1 || to > latest || from > to)
        {
            throw new UsageException($"--versions {text}: the directory has versions 1..{latest}");
        }

        return (from, to);
    }
}
