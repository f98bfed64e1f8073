#:project ../src/Harness/Harness.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false
// Times SchemaLoader.Load (and the policy checks and the JSON round trip) on a db directory.
// Usage: dotnet run schema-load.cs -- DIR [ROUNDS]   (bench/schema-load.sh generates DIR)
using System.Diagnostics;
using Tcdb.Policy;
using Tcdb.Schema;

var dir = args[0];
var rounds = args.Length > 1 ? int.Parse(args[1]) : 10;
var first = Stopwatch.StartNew();
var schema = SchemaLoader.Load(dir);
Console.WriteLine($"first load (cold, includes JIT): {first.Elapsed.TotalMilliseconds:F0} ms, {schema.LatestVersion} versions, {schema.EffectiveMethods().Count} methods");
var load = new List<double>();
var policy = new List<double>();
var json = new List<double>();
for (var i = 0; i < rounds; i++)
{
    var sw = Stopwatch.StartNew();
    schema = SchemaLoader.Load(dir);
    load.Add(sw.Elapsed.TotalMilliseconds);
    sw.Restart();
    var findings = PolicyChecker.Check(schema);
    policy.Add(sw.Elapsed.TotalMilliseconds);
    sw.Restart();
    var back = SchemaJson.Read(SchemaJson.Write(schema));
    json.Add(sw.Elapsed.TotalMilliseconds);
    if (!back.Equals(schema) || findings.Count != 0)
    {
        throw new InvalidOperationException($"round trip or policy mismatch ({findings.Count} findings)");
    }
}

static string Stats(List<double> ms) { var s = ms.Order().ToList(); return $"median {s[s.Count / 2]:F1} ms, min {s[0]:F1} ms, max {s[^1]:F1} ms"; }
Console.WriteLine($"load:          {Stats(load)}  ({rounds} rounds)");
Console.WriteLine($"policy checks: {Stats(policy)}");
Console.WriteLine($"json write+read: {Stats(json)}");
