// Wall time of a full verification against the floor every verification pays: one bare upgrade 0 -> latest
// of the same directory on the same server. Run through bench/verify.sh.
using System.Diagnostics;
using Npgsql;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Verification;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: VerifyBench MAJOR DB_DIR [JOBS]");
    return 2;
}

var major = int.Parse(args[0]);
var schema = SchemaLoader.Load(args[1]);
var jobs = args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount;
await using var server = await ThrowawayCluster.StartAsync(major);

var floors = new List<double>();
for (var i = 0; i < 3; i++)
{
    await using var db = await server.CreateDatabaseAsync();
    await using (var connection = new NpgsqlConnection(db.ConnectionString))
    {
        await connection.OpenAsync();
        await using var extension = new NpgsqlCommand("create extension if not exists pgcrypto", connection);
        await extension.ExecuteNonQueryAsync();
    }

    var stopwatch = Stopwatch.StartNew();
    await using var migrator = new Migrator(schema, db.ConnectionString, new MigratorOptions
    {
        UsersPrefix = "bench_" + new string((char)('a' + i), 4),
        ServicePasswords = ServicePasswords.Unmanaged,
        AcceptedMajorVersions = ServerVersionGate.Any,
    });
    await migrator.UpgradeAsync();
    floors.Add(stopwatch.Elapsed.TotalSeconds);
}

var floor = floors.Order().ElementAt(1);
var run = Stopwatch.StartNew();
var report = await new VerifyEngine(server, new VerifyOptions { Schema = schema, Jobs = jobs }).RunAsync();
var verify = run.Elapsed.TotalSeconds;
using var self = Process.GetCurrentProcess();
self.Refresh();

Console.WriteLine($"{args[1]}: {schema.LatestVersion} versions on PostgreSQL {server.ServerVersion}, {jobs} job(s)");
Console.WriteLine($"  floor (bare upgrade 0 -> {schema.LatestVersion}, median of 3): {floor,8:F2} s");
Console.WriteLine($"  tcdb verify:                                {verify,8:F2} s  ({verify / floor:F1}x the floor)");
Console.WriteLine($"  defects {report.DefectCount}, warnings {report.WarningCount}, peak working set {self.PeakWorkingSet64 / (1024 * 1024)} MiB");
var slowest = report.Versions.OrderByDescending(v => v.TotalMilliseconds).Take(3).Select(v => $"v{v.Version} {v.TotalMilliseconds:0} ms");
Console.WriteLine($"  slowest versions: {string.Join(", ", slowest)}");
var phases = report.Versions.SelectMany(v => v.PhaseMilliseconds).GroupBy(p => p.Key).Select(g => $"{g.Key} {g.Sum(p => p.Value) / 1000:F1} s").ToList();
Console.WriteLine($"  time per phase, all versions: {string.Join(", ", phases)}");
return 0;
