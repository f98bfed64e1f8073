// Measures throwaway-cluster start-up and template cloning; run through bench/servers.sh.
using System.Diagnostics;
using Npgsql;
using Tcdb.Servers;

var majors = args.Length > 0 ? args.Select(int.Parse).ToArray() : [11, 15];
const int Runs = 5;
var root = Path.Combine(Environment.GetEnvironmentVariable("TCDB_BENCH_ROOT") ?? "/dev/shm", "tcdb-bench-clusters");
Environment.SetEnvironmentVariable("TCDB_CLUSTERS_DIR", root);

foreach (var major in majors)
{
    var cold = new List<double>();
    var warm = new List<double>();
    for (var i = 0; i < Runs; i++)
    {
        // Cold: no pristine data directory, so initdb runs.
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        cold.Add(await TimeStartAsync(major));
        warm.Add(await TimeStartAsync(major));
    }

    await using var cluster = await ThrowawayCluster.StartAsync(major);
    var clone = new Dictionary<CloneStrategy, List<double>>();
    foreach (var strategy in major >= 15 ? new[] { CloneStrategy.FileCopy, CloneStrategy.WalLog } : [CloneStrategy.FileCopy])
    {
        var server = cluster;
        await using var template = await SmallTemplateAsync(server);
        var samples = clone[strategy] = [];
        var cloner = new ClonerView(server, strategy);
        for (var i = 0; i < Runs * 4; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await using var copy = await cloner.CloneAsync(template.Name);
            samples.Add(stopwatch.Elapsed.TotalMilliseconds);
        }
    }

    Console.WriteLine($"PostgreSQL {major} ({cluster.ServerVersion}), median of {Runs} runs:");
    Console.WriteLine($"  cold start (initdb + start):        {Median(cold),8:F0} ms");
    Console.WriteLine($"  warm start (copy pristine + start): {Median(warm),8:F0} ms");
    foreach (var (strategy, samples) in clone)
    {
        Console.WriteLine($"  clone of a 10-table template ({strategy}, median of {samples.Count}): {Median(samples),6:F0} ms");
    }
}

static async Task<double> TimeStartAsync(int major)
{
    var stopwatch = Stopwatch.StartNew();
    await using var cluster = await ThrowawayCluster.StartAsync(major);
    var elapsed = stopwatch.Elapsed.TotalMilliseconds;
    return elapsed;
}

static async Task<TestDatabase> SmallTemplateAsync(IPostgresServer server)
{
    var template = await server.CreateDatabaseAsync();
    await using var connection = new NpgsqlConnection(template.ConnectionString);
    await connection.OpenAsync();
    for (var t = 0; t < 10; t++)
    {
        await using var command = new NpgsqlCommand(
            $"create table t{t} (id integer primary key, name text not null, data jsonb, at timestamptz default now()); " +
            $"create index t{t}_name on t{t} (name); insert into t{t} (id, name) select g, 'n' || g from generate_series(1, 100) g",
            connection);
        await command.ExecuteNonQueryAsync();
    }

    return template;
}

static double Median(List<double> samples)
{
    var sorted = samples.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>Clones with a given strategy through a second server object on the same cluster.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "the view borrows the cluster's connections; the benchmark disposes the cluster, which ends them")]
internal sealed class ClonerView(ThrowawayCluster cluster, CloneStrategy strategy)
{
    private readonly ExternalServerView view = new(cluster.AdminConnectionString, cluster.MajorVersion, strategy);

    public Task<TestDatabase> CloneAsync(string template) => view.CreateDatabaseAsync(template);
}

internal sealed class ExternalServerView : PostgresServerBase
{
    private readonly string admin;

    public ExternalServerView(string admin, int major, CloneStrategy strategy)
    {
        this.admin = admin;
        MajorVersion = major;
        CloneStrategy = strategy;
    }

    public override string Description => "view";

    public override string AdminConnectionString => admin;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
