// Measures what a test pays for its server and its isolation; run through bench/isolation.sh.
// Per major: throwaway-cluster start, container start (when the image is on a Docker engine), and per test
// a template clone of db/ at the latest version (create + drop) against a Respawn reset of one shared database
// after the test wrote a row into each of three tables.
using System.Diagnostics;
using Npgsql;
using Tcdb.Schema;
using Tcdb.Servers;
using Tcdb.Testing;

var majors = args.Length > 0 ? args.Select(int.Parse).ToArray() : [11, 15];
const int Starts = 5;
const int PerTest = 30;
var schema = SchemaLoader.Load(Path.Combine(AppContext.BaseDirectory, "../../../../../db"));

foreach (var major in majors)
{
    Console.WriteLine($"PostgreSQL {major}, db/ at version {schema.LatestVersion}:");
    var local = await TimeAsync(Starts, async () => { await using var s = await ThrowawayCluster.StartAsync(major); });
    Console.WriteLine($"  throwaway cluster start (warm, median of {Starts}): {Median(local),7:F0} ms");

    var image = $"postgres:{major}";
    try
    {
        var container = await TimeAsync(Starts, async () => { await using var s = await ContainerServer.StartAsync(image); });
        Console.WriteLine($"  container start ({image}, median of {Starts}):  {Median(container),7:F0} ms");
    }
    catch (ServerUnavailableException e)
    {
        Console.WriteLine($"  container start: not measured ({e.Message.Split(". ")[0]})");
    }

    await using var server = await ThrowawayCluster.StartAsync(major);
    var templates = VersionTemplates.For(server, schema);
    await (await templates.CloneAtLatestAsync()).DisposeAsync();
    var clone = await TimeAsync(PerTest, async () => { await using var db = await templates.CloneAtLatestAsync(); });
    Console.WriteLine($"  per test, clone + drop (median of {PerTest}):        {Median(clone),7:F1} ms");

    var respawned = await RespawnedDatabase.ForAsync(server, schema);
    var reset = new List<double>();
    for (var i = 0; i < PerTest; i++)
    {
        await using (var connection = new NpgsqlConnection(respawned.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var write = new NpgsqlCommand(
                "insert into widgets (name, created) values ('w" + i + "', now()); " +
                "insert into secrets (name, encrypted_secret, expires, etag) values ('s" + i + "', '{}'::jsonb, now(), gen_random_uuid()); " +
                "insert into task_groups (task_group_id, scheduler_id, expires, etag) values ('g" + i + "', 's', now(), gen_random_uuid())",
                connection);
            await write.ExecuteNonQueryAsync();
        }

        var stopwatch = Stopwatch.StartNew();
        await respawned.ResetAsync();
        reset.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    Console.WriteLine($"  per test, Respawn reset (median of {PerTest}):       {Median(reset),7:F1} ms");
}

static async Task<List<double>> TimeAsync(int runs, Func<Task> action)
{
    var samples = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var stopwatch = Stopwatch.StartNew();
        await action();
        samples.Add(stopwatch.Elapsed.TotalMilliseconds);
    }

    return samples;
}

static double Median(List<double> samples)
{
    var sorted = samples.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
