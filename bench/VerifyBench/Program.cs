// Wall time of a full verification against the floor every verification pays: one bare upgrade 0 -> latest
// of the same directory on the same server. Run through bench/verify.sh.
//   VerifyBench MAJOR DB_DIR [JOBS] [--exhaustive] [--findings FILE] [--profile FILE | --ops-only]
// --exhaustive verifies without shortcuts (tcdb verify --exhaustive).
// --findings FILE writes the run's findings, one "version severity kind object" line each, sorted: the set
// two runs (e.g. with and without shortcuts) must agree on.
// With --profile, the server logs every statement's duration during the verification and FILE gets the
// statements that took the most time (grouped by their text with literals blanked), followed by the cost
// of single operations at the latest version: probing every function (fresh session and warm), one
// function at a time, a catalog snapshot and a data snapshot of seeded tables. --ops-only measures only those.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Seeding;
using Tcdb.Servers;
using Tcdb.Snapshots;
using Tcdb.Verification;

var positional = new List<string>();
string? profile = null;
var opsOnly = false;
var exhaustive = false;
string? findingsFile = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--profile" && i + 1 < args.Length)
    {
        profile = args[++i];
    }
    else if (args[i] == "--findings" && i + 1 < args.Length)
    {
        findingsFile = args[++i];
    }
    else if (args[i] == "--exhaustive")
    {
        exhaustive = true;
    }
    else if (args[i] == "--ops-only")
    {
        opsOnly = true;
    }
    else
    {
        positional.Add(args[i]);
    }
}

if (positional.Count < 2)
{
    Console.Error.WriteLine("usage: VerifyBench MAJOR DB_DIR [JOBS] [--exhaustive] [--findings FILE] [--profile FILE | --ops-only]");
    return 2;
}

var major = int.Parse(positional[0], CultureInfo.InvariantCulture);
var directory = positional[1];
var schema = SchemaLoader.Load(directory);
var jobs = positional.Count > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
var releasesFile = Path.Combine(directory, "releases.txt");
var releases = File.Exists(releasesFile) ? ReleaseHistory.Load(releasesFile) : null;
await using var server = await ThrowawayCluster.StartAsync(major);
if (opsOnly)
{
    var ops = new StringBuilder();
    await SingleOperationsAsync(ops);
    Console.Write(ops);
    return 0;
}

var floors = new List<double>();
for (var i = 0; i < 5; i++)
{
    await using var db = await server.CreateDatabaseAsync();
    var stopwatch = Stopwatch.StartNew();
    await UpgradeAsync(db.ConnectionString, "bench_" + new string((char)('a' + i), 4));
    floors.Add(stopwatch.Elapsed.TotalSeconds);
}

if (profile is not null)
{
    await AdminAsync("alter system set log_min_duration_statement = 0; alter system set log_line_prefix = '%m [%p] '; select pg_reload_conf()");
}

var logStart = profile is not null ? new FileInfo(LogPath()).Length : 0;
var floor = floors.Order().ElementAt(2);
var run = Stopwatch.StartNew();
var report = await new VerifyEngine(server, new VerifyOptions { Schema = schema, Jobs = jobs, Releases = releases, Exhaustive = exhaustive }).RunAsync();
var verify = run.Elapsed.TotalSeconds;
using var self = Process.GetCurrentProcess();
self.Refresh();

Console.WriteLine($"{directory}: {schema.LatestVersion} versions, {schema.EffectiveMethods().Count} methods ({schema.EffectiveMethods().Count(m => m.Deprecated)} deprecated) on PostgreSQL {server.ServerVersion}, {jobs} job(s)");
Console.WriteLine($"  floor (bare upgrade 0 -> {schema.LatestVersion}, median of 5): {floor,8:F2} s  (min {floors.Min():F2}, max {floors.Max():F2})");
Console.WriteLine($"  tcdb verify:                                {verify,8:F2} s  ({verify / floor:F1}x the floor)");
Console.WriteLine($"  defects {report.DefectCount}, warnings {report.WarningCount}, peak working set {self.PeakWorkingSet64 / (1024 * 1024)} MiB");
var kinds = report.Findings.GroupBy(f => (f.Severity, Kind: VerificationFinding.KindId(f.Kind))).OrderBy(g => g.Key.Severity).ThenBy(g => g.Key.Kind, StringComparer.Ordinal);
Console.WriteLine($"  findings: {(report.Findings.Count == 0 ? "none" : string.Join(", ", kinds.Select(g => $"{g.Count()} {g.Key.Severity.ToString().ToLowerInvariant()} {g.Key.Kind}")))}");
if (findingsFile is not null)
{
    var lines = report.Findings.Select(f => FormattableString.Invariant($"{f.Version?.ToString("D4", CultureInfo.InvariantCulture) ?? "----"} {f.Severity.ToString().ToLowerInvariant()} {VerificationFinding.KindId(f.Kind)} {f.Object}"));
    await File.WriteAllLinesAsync(findingsFile, lines.Order(StringComparer.Ordinal));
}

var slowest = report.Versions.OrderByDescending(v => v.TotalMilliseconds).Take(3).Select(v => $"v{v.Version} {v.TotalMilliseconds:0} ms");
Console.WriteLine($"  slowest versions: {string.Join(", ", slowest)}");
var phases = report.Versions.SelectMany(v => v.PhaseMilliseconds).GroupBy(p => p.Key)
    .Select(g => (Phase: g.Key, Seconds: g.Sum(p => p.Value) / 1000)).OrderByDescending(p => p.Seconds).ToList();
Console.WriteLine($"  time per phase, all versions (summed over jobs): {string.Join(", ", phases.Select(p => $"{p.Phase} {p.Seconds:F1} s"))}; total {phases.Sum(p => p.Seconds):F1} s");
// One line for scripts: bench/verify.sh collects these into its summary table.
Console.WriteLine(FormattableString.Invariant(
    $"RESULT\t{Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))}\t{major}\t{schema.LatestVersion}\t{floor:F2}\t{verify:F2}\t{verify / floor:F1}\t{report.DefectCount}\t{string.Join(", ", phases.Select(p => $"{p.Phase} {p.Seconds:F1}"))}"));

if (profile is not null)
{
    await AdminAsync("alter system reset log_min_duration_statement; alter system reset log_line_prefix; select pg_reload_conf()");
    var text = new StringBuilder();
    text.AppendLine(CultureInfo.InvariantCulture, $"# Profile of tcdb verify: {directory} on PostgreSQL {server.ServerVersion}, {jobs} job(s)");
    text.AppendLine(CultureInfo.InvariantCulture, $"verify {verify:F1} s (statement logging on), floor {floor:F2} s, phases: {string.Join(", ", phases.Select(p => $"{p.Phase} {p.Seconds:F1} s"))}");
    text.AppendLine();
    StatementProfile(text, logStart);
    await SingleOperationsAsync(text);
    await File.WriteAllTextAsync(profile, text.ToString());
    Console.WriteLine($"  profile written to {profile}");
}

return 0;

async Task UpgradeAsync(string connectionString, string prefix)
{
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var extension = new NpgsqlCommand("create extension if not exists pgcrypto", connection);
        await extension.ExecuteNonQueryAsync();
    }

    await using var migrator = new Migrator(schema, connectionString, new MigratorOptions
    {
        RolePrefix = RolePrefix.Parse(prefix),
        ServicePasswords = ServicePasswords.Unmanaged,
        AcceptedMajorVersions = ServerVersionGate.Any,
    });
    await migrator.UpgradeAsync();
}

async Task AdminAsync(string sql)
{
    await using var connection = new NpgsqlConnection(server.AdminConnectionString);
    await connection.OpenAsync();
    foreach (var statement in sql.Split("; "))
    {
        await using var command = new NpgsqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync();
    }
}

string LogPath() => Path.Combine(server.DirectoryPath, "server.log");

// The statements of the verification's part of the server log, grouped by their text with literals blanked.
// The extended protocol logs parse, bind and execute apart: their times add up, an execution counts once.
void StatementProfile(StringBuilder text, long offset)
{
    var start = new Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \S+ \[\d+\] ");
    var duration = new Regex(@"LOG:  duration: ([0-9.]+) ms  (statement|execute [^:]*|parse [^:]*|bind [^:]*): (.*)$", RegexOptions.Singleline);
    var groups = new Dictionary<string, (int Count, double Ms)>(StringComparer.Ordinal);
    var categories = new Dictionary<string, (int Count, double Ms)>(StringComparer.Ordinal);
    using var stream = new FileStream(LogPath(), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    stream.Seek(offset, SeekOrigin.Begin);
    using var reader = new StreamReader(stream);
    var record = new StringBuilder();
    void Flush()
    {
        if (record.Length == 0)
        {
            return;
        }

        var match = duration.Match(record.ToString());
        record.Clear();
        if (!match.Success)
        {
            return;
        }

        var sql = match.Groups[3].Value;
        var key = Normalize(sql);
        var ms = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var executions = match.Groups[2].Value.StartsWith("parse", StringComparison.Ordinal) || match.Groups[2].Value.StartsWith("bind", StringComparison.Ordinal) ? 0 : 1;
        var current = groups.GetValueOrDefault(key);
        groups[key] = (current.Count + executions, current.Ms + ms);
        var category = Category(sql);
        var sum = categories.GetValueOrDefault(category);
        categories[category] = (sum.Count + executions, sum.Ms + ms);
    }

    while (reader.ReadLine() is { } line)
    {
        if (start.IsMatch(line))
        {
            Flush();
        }

        record.Append(line).Append('\n');
    }

    Flush();
    var total = groups.Values.Sum(g => g.Ms);
    text.AppendLine(CultureInfo.InvariantCulture, $"## Server time by kind of statement ({total / 1000:F1} s, {groups.Values.Sum(g => g.Count)} statements)");
    text.AppendLine();
    text.AppendLine("| share | seconds | executions | ms each | kind |");
    text.AppendLine("|---:|---:|---:|---:|---|");
    foreach (var (key, g) in categories.OrderByDescending(g => g.Value.Ms))
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| {100 * g.Ms / total:F1}% | {g.Ms / 1000:F2} | {g.Count} | {g.Ms / Math.Max(1, g.Count):F2} | {key} |");
    }

    text.AppendLine();
    text.AppendLine("## Server time by statement (top 40)");
    text.AppendLine();
    text.AppendLine("| share | seconds | executions | ms each | statement |");
    text.AppendLine("|---:|---:|---:|---:|---|");
    foreach (var (key, g) in groups.OrderByDescending(g => g.Value.Ms).Take(40))
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| {100 * g.Ms / total:F1}% | {g.Ms / 1000:F2} | {g.Count} | {g.Ms / Math.Max(1, g.Count):F2} | `{key.Replace("|", "\\|")}` |");
    }

    text.AppendLine();
}

// A rough kind for each statement the engine sends, by its text.
static string Category(string sql)
{
    var head = sql.TrimStart();
    bool Starts(string prefix) => head.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
    return Starts("do $tcdb_probe$") ? "function probes (DO blocks)"
        : Starts("create database") || Starts("drop database") ? "database clone / drop"
        : head.Contains(" from only public.", StringComparison.Ordinal) || head.Contains("where exists (select from public.", StringComparison.Ordinal) ? "data snapshot (rows)"
        : Starts("copy ") || Starts("insert into") || Starts("truncate") || head.Contains("tcdb_seed", StringComparison.Ordinal) ? "seeding"
        : Starts("DO $") || Starts("create or replace function") || Starts("create function") || Starts("drop function") || head.Contains("online_", StringComparison.Ordinal) || head.Contains("tcversion", StringComparison.Ordinal) ? "migrations (scripts, methods, online batches, version bookkeeping)"
        : head.Contains("pg_catalog", StringComparison.Ordinal) || head.Contains(" from pg_", StringComparison.Ordinal) || head.Contains("pg_get_", StringComparison.Ordinal) || head.Contains("jsonb_strip_nulls", StringComparison.Ordinal) ? "catalog reads (snapshots, seeding and migrator look-ups)"
        : "other (transactions, session setup, roles)";
}

static string Normalize(string sql)
{
    var flat = Regex.Replace(sql, @"\s+", " ").Trim();
    if (flat.StartsWith("do $tcdb_probe$", StringComparison.Ordinal))
    {
        var calls = Regex.Count(flat, "perform count\\(\\*\\) from ");
        return $"probe block (DO with one subtransaction per function), {(calls < 20 ? "< 20" : calls < 100 ? "20-99" : calls < 300 ? "100-299" : ">= 300")} functions";
    }

    flat = Regex.Replace(flat, "'(?:[^']|'')*'", "'?'");
    flat = Regex.Replace(flat, @"\b\d+\b", "N");
    flat = Regex.Replace(flat, @"tcdb_[a-z0-9_]+", "tcdb_*");
    flat = Regex.Replace(flat, @"tcv_[a-z0-9_]+", "tcv_*");
    return flat.Length > 160 ? flat[..160] + "..." : flat;
}

// Costs of single operations on one database at the latest version, to tell fixed costs from work.
async Task SingleOperationsAsync(StringBuilder text)
{
    await using var db = await server.CreateDatabaseAsync();
    await UpgradeAsync(db.ConnectionString, "bench_prof");
    var methods = schema.EffectiveMethods(schema.LatestVersion);
    var unpooled = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString;
    text.AppendLine(CultureInfo.InvariantCulture, $"## Single operations at version {schema.LatestVersion} ({methods.Count} functions, tables empty unless said)");
    text.AppendLine();
    for (var round = 0; round < 3; round++)
    {
        await using (var connection = new NpgsqlConnection(unpooled))
        {
            await connection.OpenAsync();
            var cold = Stopwatch.StartNew();
            await FunctionProbe.CallEachAsync(connection, methods);
            var coldMs = cold.Elapsed.TotalMilliseconds;
            var warm = Stopwatch.StartNew();
            await FunctionProbe.CallEachAsync(connection, methods);
            text.AppendLine(CultureInfo.InvariantCulture, $"- probe of every function in two DO blocks: fresh session {coldMs:F0} ms, same session again {warm.Elapsed.TotalMilliseconds:F0} ms");
        }

        var each = new List<(string Name, double Ms)>();
        await using (var connection = new NpgsqlConnection(unpooled))
        {
            await connection.OpenAsync();
            foreach (var method in methods)
            {
                var stopwatch = Stopwatch.StartNew();
                await FunctionProbe.CallAsync(connection, method);
                each.Add((method.Name, stopwatch.Elapsed.TotalMilliseconds));
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"- every function one at a time (own transaction, fresh session): total {each.Sum(e => e.Ms):F0} ms, median {each.Select(e => e.Ms).Order().ElementAt(each.Count / 2):F2} ms; slowest: {string.Join(", ", each.OrderByDescending(e => e.Ms).Take(6).Select(e => $"{e.Name} {e.Ms:F1}"))}");
    }

    await using (var connection = new NpgsqlConnection(db.ConnectionString))
    {
        await connection.OpenAsync();
        var catalog = new List<double>();
        var objects = 0;
        for (var i = 0; i < 3; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            objects = (await CatalogSnapshot.TakeAsync(connection, new CatalogSnapshotOptions { RolePrefix = RolePrefix.Parse("bench_prof") })).Objects.Count;
            catalog.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"- catalog snapshot ({objects} objects): {string.Join(", ", catalog.Select(c => c.ToString("F0", CultureInfo.InvariantCulture)))} ms");
        var seed = Stopwatch.StartNew();
        await Seeder.SeedAsync(connection, new SeedOptions { RowsPerTable = 60 });
        var seedMs = seed.Elapsed.TotalMilliseconds;
        var data = new List<double>();
        var tables = 0;
        for (var i = 0; i < 3; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            tables = (await DataSnapshot.TakeAsync(connection)).Tables.Count;
            data.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"- generic seed of every table (60 rows each): {seedMs:F0} ms; data snapshot of {tables} tables: {string.Join(", ", data.Select(c => c.ToString("F0", CultureInfo.InvariantCulture)))} ms");
    }
}
