using System.Diagnostics;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Policy;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Verification;

namespace Tcdb.Mutation;

/// <summary>
/// Runs every mutant of each version through the checks a verification makes, to measure how many of the
/// mistakes an author makes the checks (and the version's own test) would catch. Per version N: one template at
/// N-1 from the seeded upward pass of the original directory, with version N's generic rows; the original's
/// shape on a clone of it (its findings are the baseline, its catalog and rows after the upgrade and after the
/// downgrade the reference) and a second plain run (values that differ between the two are generated, not
/// compared); then each mutant, side by side on clones: the policy rules and the shape
/// (<see cref="SingleVersionCheck"/>), findings the original does not have kill it; a mutant nothing killed
/// whose catalog and rows equal the reference is equivalent; a survivor that edits a script is upgraded on to
/// the latest version for the grant and column checks; then the version's own test, when one is given, runs on
/// every mutant nothing killed.
/// </summary>
public sealed class MutationEngine
{
    // The original's shape stopped before anything a mutant could differ in: its upgrade failed or it timed out.
    private static readonly HashSet<VerificationFindingKind> Unusable = [VerificationFindingKind.UpgradeFailed, VerificationFindingKind.VersionTimeout];

    private readonly IPostgresServer server;
    private readonly MutationOptions options;
    private readonly VerificationRun run;
    private readonly List<ServerDatabase> databases = [];

    public MutationEngine(IPostgresServer server, MutationOptions options)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        this.server = server;
        this.options = options;
        run = new VerificationRun(
            new VerifyOptions
            {
                Schema = options.Schema,
                Seed = options.Seed,
                RowsPerTable = options.RowsPerTable,

                // A mutant whose upgrade fails on the seeded rows the original migrates is told apart by that.
                Strict = true,
                Hooks = options.Hooks,
                VersionTimeout = options.VersionTimeout,
                Releases = options.Releases,
            },
            RolePrefix.Random("tcv"));
    }

    private DbSchema Schema => options.Schema;

    public async Task<MutationReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var latest = Schema.LatestVersion;
        var from = Math.Max(1, options.FromVersion ?? 1);
        var to = Math.Min(latest, options.ToVersion ?? latest);
        if (from > to)
        {
            throw new ArgumentException($"no version to mutate in {from}..{to} (the directory has versions 1..{latest})");
        }

        if (options.VersionTests is { } tests)
        {
            Progress($"building {tests.Description}");
            await tests.PrepareAsync(cancellationToken);
        }

        var results = new List<VersionMutationResult>();
        try
        {
            var seeded = await NewDatabaseAsync(cancellationToken);
            var plain = await NewDatabaseAsync(cancellationToken);
            await using var seededPass = new MigrationSession(run, seeded);
            await using var plainPass = new Migrator(Schema, plain.ConnectionString, run.MigratorOptions());
            string? broken = null;
            for (var version = 1; version <= to; version++)
            {
                if (version >= from)
                {
                    var result = broken is null
                        ? await RunVersionAsync(version, seededPass, plainPass, plain, cancellationToken)
                        : new VersionMutationResult(version, []) { NotRun = broken, Generated = MutantsOf(version).Count };
                    results.Add(result);
                    Progress(Summary(result));
                }

                if (version == to || broken is not null)
                {
                    continue;
                }

                // Both passes move on to N with the original directory: the seeded one as verify's upward pass does.
                if (!await UpwardPass.StepAsync(run, seededPass, version, cancellationToken))
                {
                    broken = $"version {version} of the original directory cannot be applied on the seeded rows of the upward pass (tcdb verify reports why)";
                    continue;
                }

                try
                {
                    await plainPass.UpgradeAsync(version, cancellationToken);
                }
                catch (MigrationException e)
                {
                    broken = $"version {version} of the original directory cannot be applied to an empty database: {e.Message}";
                }
            }
        }
        finally
        {
            await CleanUpAsync();
        }

        return new MutationReport(Schema.Directory ?? "(schema)", server.Description, from, to, results, stopwatch.Elapsed)
        {
            VersionTests = options.VersionTests?.Description,
            Jobs = Math.Max(1, options.Jobs),
        };
    }

    private async Task<VersionMutationResult> RunVersionAsync(int version, MigrationSession seededPass, Migrator plainPass, ServerDatabase plain, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var mutants = MutantsOf(version);
        if (mutants.Count == 0)
        {
            return new VersionMutationResult(version, []) { Milliseconds = stopwatch.Elapsed.TotalMilliseconds };
        }

        Progress($"v{version:D4}: {mutants.Count} mutant(s); preparing the template at {version - 1} and the original's reference runs");
        await using var template = await seededPass.CloneAsync(ct);
        await VersionSeed.SeedAsync(run, version, template.ConnectionString, ct);

        var reference = new StateObserver(run.RolePrefix);
        SingleVersionOutcome baseline;
        try
        {
            baseline = await ShapeAsync(run, version, template, reference, ct);
        }
        catch (MigrationException e)
        {
            return NotRun(version, mutants.Count, e.Message, stopwatch);
        }

        if (baseline.Findings.FirstOrDefault(f => f.IsDefect && Unusable.Contains(f.Kind)) is { } failure)
        {
            return NotRun(version, mutants.Count, failure.ToString(), stopwatch);
        }

        var generated = await GeneratedAsync(version, template, reference, retriedWithoutSeed: baseline.Findings.Any(f => f.Kind == VerificationFindingKind.NeedsVersionSeed), ct);
        var judge = new MutantJudge(baseline.Findings, PolicyErrors(Schema), reference, generated);

        plainPass.ReleaseIdleConnections();
        await using var plainTemplate = mutants.Any(m => m.EditsScript) ? await plain.CloneAsync(ct) : null;
        var drift = plainTemplate is null ? null : new DriftCheck(plainTemplate, new Lazy<Task<IReadOnlySet<string>>>(() => DriftAsync(Schema, plainTemplate, ct)));

        string? testNote = null;
        var versionTests = options.VersionTests;
        if (versionTests is not null)
        {
            var original = await versionTests.RunAsync(Schema, version, ServerUrl, ct);
            if (original.Verdict != VersionTestVerdict.Passed)
            {
                testNote = original.Verdict == VersionTestVerdict.NoTest
                    ? $"{versionTests.Description} has no test of version {version}: {original.Detail}"
                    : $"the test of version {version} fails on the original directory, so it cannot tell mutants apart: {original.Detail}";
                versionTests = null;
            }
        }

        var setup = stopwatch.Elapsed.TotalMilliseconds;
        using var gate = new SemaphoreSlim(Math.Max(1, options.Jobs));
        var results = await Task.WhenAll(mutants.Select(async mutant =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var result = await RunMutantAsync(mutant, template, judge, drift, versionTests, ct);
                Progress($"  {result.Mutant.Id} {Verdict(result)} ({result.Milliseconds:0} ms)");
                return result;
            }
            finally
            {
                gate.Release();
            }
        }));

        return new VersionMutationResult(version, results)
        {
            Generated = mutants.Count,
            OriginalDefects = baseline.Defects.Select(f => f.ToString()).ToList(),
            VersionTestNote = testNote,
            SetupMilliseconds = setup,
            Milliseconds = stopwatch.Elapsed.TotalMilliseconds,
        };
    }

    private static VersionMutationResult NotRun(int version, int generated, string failure, Stopwatch stopwatch) => new(version, [])
    {
        NotRun = $"the original version fails its own shape, so no mutant can be told apart: {failure}",
        Generated = generated,
        Milliseconds = stopwatch.Elapsed.TotalMilliseconds,
    };

    private async Task<MutantResult> RunMutantAsync(
        Mutant mutant, ServerDatabase template, MutantJudge judge, DriftCheck? drift, IVersionTestRunner? versionTests, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        var schema = mutant.Apply(Schema);

        // The mutant's run shares the original's: same roles, seed and inferred column shapes, so its rows are the original's.
        var mutantRun = run.WithOptions(run.Options with { Schema = schema });
        var observed = new StateObserver(run.RolePrefix);
        SingleVersionOutcome outcome;
        try
        {
            outcome = await ShapeAsync(mutantRun, mutant.Version, template, observed, ct);
        }
        catch (MigrationException e)
        {
            // The shape reports the failures it expects; a mutant may fail where the original never does.
            return new MutantResult(mutant, MutantStatus.Killed, [new MutantKill(MutationCheck.FailsToApply, $"the shape of version {mutant.Version} stopped: {e.Message}")], stopwatch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException && options.Hooks.ContainsKey(mutant.Version))
        {
            // A hook of the version's own test failed (an assertion, usually): the check ends there and the test would fail.
            return new MutantResult(mutant, MutantStatus.Killed, [new MutantKill(MutationCheck.VersionTest, $"the version's hooks failed: {ErrorLines.First(e.Message)}")], stopwatch.Elapsed.TotalMilliseconds);
        }

        var verdict = judge.Judge(outcome.Findings, PolicyErrors(schema), observed);
        if (verdict.Status == MutantStatus.Survived && mutant.EditsScript && drift is not null)
        {
            verdict = await GrantsAndColumnsAsync(schema, verdict, drift, ct);
        }

        // An equivalent mutant was judged on the generic rows: a test with rows of its own may still tell it apart.
        if (verdict.Status != MutantStatus.Killed && versionTests is not null)
        {
            var test = await versionTests.RunAsync(schema, mutant.Version, ServerUrl, ct);
            if (test.Verdict == VersionTestVerdict.Failed)
            {
                verdict = verdict with { Status = MutantStatus.Killed, Kills = [new MutantKill(MutationCheck.VersionTest, $"{versionTests.Description}: {test.Detail}")] };
            }
        }

        return new MutantResult(mutant, verdict.Status, verdict.Kills, stopwatch.Elapsed.TotalMilliseconds) { Warnings = verdict.Warnings };
    }

    /// <summary>
    /// The chain's grant and column checks for a mutant: a clone of the plain template at N-1 upgraded with the
    /// mutant to the latest version; drift the original does not have (or an upgrade that fails) kills it.
    /// </summary>
    private async Task<MutantVerdict> GrantsAndColumnsAsync(DbSchema schema, MutantVerdict verdict, DriftCheck drift, CancellationToken ct)
    {
        var originalDrift = await drift.Original.Value;
        await using var database = await drift.Template.CloneAsync(ct);
        await using var migrator = new Migrator(schema, database.ConnectionString, run.MigratorOptions());
        try
        {
            var result = await migrator.UpgradeAsync(null, ct);
            var kills = result.Findings.Where(f => !originalDrift.Contains(f.Message))
                .Select(f => new MutantKill(MutationCheck.GrantsColumns, $"{f.Message} (after upgrading on to version {Schema.LatestVersion})"))
                .ToList();
            return kills.Count == 0 ? verdict : verdict with { Status = MutantStatus.Killed, Kills = kills };
        }
        catch (MigrationException e)
        {
            return verdict with { Status = MutantStatus.Killed, Kills = [new MutantKill(MutationCheck.FailsToApply, $"upgrading an empty database on to version {Schema.LatestVersion} fails: {e.Message}")] };
        }
    }

    private async Task<IReadOnlySet<string>> DriftAsync(DbSchema schema, ServerDatabase plainTemplate, CancellationToken ct)
    {
        await using var database = await plainTemplate.CloneAsync(ct);
        await using var migrator = new Migrator(schema, database.ConnectionString, run.MigratorOptions());
        var result = await migrator.UpgradeAsync(null, ct);
        return result.Findings.Select(f => f.Message).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The shape of <paramref name="version"/> of <paramref name="shapeRun"/>' schema on a clone of the template, observed.</summary>
    private static async Task<SingleVersionOutcome> ShapeAsync(VerificationRun shapeRun, int version, ServerDatabase template, StateObserver observer, CancellationToken ct)
    {
        await using var database = await template.CloneAsync(ct);
        var observing = shapeRun.WithOptions(shapeRun.Options with
        {
            Hooks = new Dictionary<int, VersionHooks>(shapeRun.Options.Hooks) { [version] = observer.Observe(shapeRun.Options.HooksFor(version), ct) },
        });
        return await SingleVersionCheck.RunAsync(observing, version, database, ct);
    }

    /// <summary>
    /// A second, plain run of the original on a copy of the template (emptied when the shape had to retry without
    /// its rows): the columns whose values differ from the shape's run after the upgrade or the downgrade are generated.
    /// </summary>
    private async Task<(GeneratedValues AfterUpgrade, GeneratedValues AfterDowngrade)> GeneratedAsync(
        int version, ServerDatabase template, StateObserver reference, bool retriedWithoutSeed, CancellationToken ct)
    {
        if (reference.AfterUpgrade is null || reference.AfterDowngrade is null)
        {
            return (GeneratedValues.None, GeneratedValues.None);
        }

        await using var database = await template.CloneAsync(ct);
        if (retriedWithoutSeed)
        {
            await VersionSeed.TruncateAllAsync(database.ConnectionString, ct);
        }

        await using var migrator = new Migrator(Schema, database.ConnectionString, run.MigratorOptions());
        try
        {
            await migrator.UpgradeAsync(version, ct);
            var afterUpgrade = await StateSnapshot.TakeAsync(database.ConnectionString, run.RolePrefix, ct);
            await migrator.DowngradeAsync(version - 1, ct);
            var afterDowngrade = await StateSnapshot.TakeAsync(database.ConnectionString, run.RolePrefix, ct);
            return (GeneratedValues.Between(reference.AfterUpgrade.Data, afterUpgrade.Data), GeneratedValues.Between(reference.AfterDowngrade.Data, afterDowngrade.Data));
        }
        catch (MigrationException)
        {
            // Without a second run nothing counts as generated: mutants are then only ever judged not equivalent.
            return (GeneratedValues.None, GeneratedValues.None);
        }
    }

    private IReadOnlySet<string> PolicyErrors(DbSchema schema) =>
        PolicyChecker.Check(schema, options.Waivers).Findings
            .Where(f => f.Severity == PolicySeverity.Error)
            .Select(f => $"{f.RuleId}: {f.Object}: {f.Message}")
            .ToHashSet(StringComparer.Ordinal);

    private string ServerUrl => ConnectionStrings.ToUrl(server.AdminConnectionString);

    private async Task<ServerDatabase> NewDatabaseAsync(CancellationToken ct)
    {
        var db = await server.CreateDatabaseAsync(cancellationToken: ct);
        databases.Add(db);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("create extension if not exists pgcrypto", connection);
        await command.ExecuteNonQueryAsync(ct);
        return db;
    }

    private async Task CleanUpAsync()
    {
        foreach (var db in databases)
        {
            await db.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        await ServiceRoles.DropRolesAsync(connection, run.RolePrefix);
    }

    private void Progress(string line) => options.Progress?.Invoke(line);

    private static string Verdict(MutantResult result) => result.Status switch
    {
        MutantStatus.Killed => "killed by " + string.Join(", ", result.Checks.Select(MutationChecks.Id)),
        MutantStatus.Survived => "SURVIVED: " + result.Mutant.Summary,
        _ => "equivalent (discarded)",
    };

    private IReadOnlyList<Mutant> MutantsOf(int version) => options.Mutants.GetValueOrDefault(version) ?? MutantGenerator.Generate(Schema, version);

    private static string Summary(VersionMutationResult result) =>
        result.NotRun is not null
            ? $"v{result.Version:D4}: {result.Generated} mutant(s) not run: {result.NotRun}"
            : $"v{result.Version:D4}: {result.Mutants.Count} mutant(s), {result.Killed} killed, {result.Survived} survived, {result.Equivalent} equivalent; score {MutationScore.Format(result.Score)} in {result.Milliseconds / 1000:0.0} s";

    /// <summary>The plain template at N-1 the grant and column checks start from, and the drift the original leaves.</summary>
    private sealed record DriftCheck(ServerDatabase Template, Lazy<Task<IReadOnlySet<string>>> Original);
}
