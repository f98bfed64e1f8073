using System.Reflection;
using System.Xml.Linq;
using Tcdb.Harness.Tests.Authoring;

namespace Tcdb.Harness.Tests.Architecture;

/// <summary>
/// The dependency rules of src/, read from the built assemblies' metadata (and the project files): the engine
/// carries no test framework, only the fixtures reference NUnit, the pure parts of the engine (schema, policy) never
/// touch the database driver, and the engine's namespaces depend on each other without a cycle. Each rule is also
/// fed a violation (from this assembly's sample types or a synthetic graph) to show it can fail.
/// </summary>
[TestFixture]
public sealed class ArchitectureTests
{
    private const string Engine = "Tcdb.Harness";
    private const string Fixtures = "Tcdb.Testing";
    private const string Samples = "Tcdb.Harness.Tests.Architecture.Samples";
    private const string DependencyHeading = "## Which folder uses which";
    private const string RootFolder = "(root)";

    /// <summary>The namespaces that must stay free of the database driver: they load and judge files only.</summary>
    private static readonly string[] PureNamespaces = ["Tcdb.Schema", "Tcdb.Policy"];

    private static readonly Lazy<AssemblyTypeUses> EngineUses = new(() => AssemblyTypeUses.Read(Assembly.Load(Engine)));
    private static readonly Lazy<AssemblyTypeUses> OwnUses = new(() => AssemblyTypeUses.Read(typeof(ArchitectureTests).Assembly));

    [Test]
    public void The_engine_does_not_reference_NUnit()
    {
        Assert.That(ArchitectureRules.NUnitReferences(EngineUses.Value), Is.Empty, $"assemblies {Engine} references");
        Assert.That(EngineUses.Value.ReferencedAssemblies, Does.Contain("Npgsql"), "the reader sees the engine's references");
    }

    [Test]
    public void The_fixtures_use_only_the_public_types_of_the_engine()
    {
        var fixtures = AssemblyTypeUses.Read(Assembly.Load(Fixtures));
        var friends = Assembly.Load(Engine).GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();

        Assert.That(fixtures.Uses.Where(u => u.To.Assembly == Engine), Is.Not.Empty, "the fixtures are built on the engine");
        Assert.That(ArchitectureRules.NonPublicUses(fixtures, EngineUses.Value).Select(u => u.ToString()), Is.Empty);
        Assert.That(ArchitectureRules.NonPublicUses(OwnUses.Value, EngineUses.Value), Is.Not.Empty, "these tests, which may see the engine's internals, do use some");
        Assert.That(friends, Has.None.EqualTo(Fixtures), "assemblies that see the engine's internals");
        Assert.That(friends, Is.Not.Empty.And.All.EndsWith(".Tests"), "only test assemblies see the engine's internals");
    }

    [Test]
    public void Nothing_in_src_but_the_fixtures_references_NUnit()
    {
        var projects = SourceProjects();
        Assert.That(projects.Select(p => p.Assembly), Is.SupersetOf(new[] { Engine, Fixtures, "tcdb" }), "projects found in src/");

        var violations = new List<string>();
        foreach (var (project, assemblyName) in projects.Where(p => p.Assembly != Fixtures))
        {
            var file = Path.Join(AppContext.BaseDirectory, assemblyName + ".dll");
            if (!File.Exists(file))
            {
                violations.Add($"{project} builds {assemblyName}, which tests/harness does not reference: add a ProjectReference so its rules are checked");
                continue;
            }

            violations.AddRange(ArchitectureRules.NUnitReferences(AssemblyTypeUses.Read(file)).Select(r => $"{assemblyName} references assembly {r}"));
            violations.AddRange(ArchitectureRules.Packages(project).Where(ArchitectureRules.IsNUnit).Select(p => $"{project} brings package {p}"));
        }

        Assert.That(violations, Is.Empty);
    }

    [Test]
    public void The_NUnit_rules_report_the_fixtures_which_do_reference_NUnit()
    {
        var root = DocsTests.RepositoryRoot();

        Assert.That(ArchitectureRules.NUnitReferences(AssemblyTypeUses.Read(Assembly.Load(Fixtures))), Does.Contain("nunit.framework"));
        Assert.That(ArchitectureRules.Packages(Path.Join(root, "src", "Testing", "Testing.csproj")).Where(ArchitectureRules.IsNUnit), Is.Not.Empty);
    }

    [Test]
    public void The_package_rule_follows_project_references_and_skips_private_packages()
    {
        var work = Directory.CreateTempSubdirectory("tcdb-arch-");
        try
        {
            File.WriteAllText(Path.Join(work.FullName, "Framework.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup>
                    <PackageReference Include="NUnit" />
                    <PackageReference Include="NUnit.Analyzers" PrivateAssets="all" />
                  </ItemGroup>
                </Project>
                """);
            Directory.CreateDirectory(Path.Join(work.FullName, "app"));
            File.WriteAllText(Path.Join(work.FullName, "app", "App.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup>
                    <PackageReference Include="Npgsql" />
                    <PackageReference Include="NUnit.Analyzers"><PrivateAssets>all</PrivateAssets></PackageReference>
                    <ProjectReference Include="..\Framework.csproj" />
                  </ItemGroup>
                </Project>
                """);

            var packages = ArchitectureRules.Packages(Path.Join(work.FullName, "app", "App.csproj"));

            Assert.That(packages.Select(p => p.Split(' ')[0]), Is.EquivalentTo(new[] { "Npgsql", "NUnit" }));
            Assert.That(packages.Single(p => p.StartsWith("NUnit", StringComparison.Ordinal)), Does.EndWith($"(in {Path.Join(work.FullName, "Framework.csproj")})"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Test]
    public void Schema_and_policy_types_do_not_use_Npgsql()
    {
        var uses = ArchitectureRules.UsesOf(EngineUses.Value, PureNamespaces, "Npgsql");

        Assert.That(EngineUses.Value.Types.Where(t => PureNamespaces.Any(n => ArchitectureRules.InNamespace(t.Key.Namespace, n))), Is.Not.Empty, "types of the pure namespaces");
        Assert.That(uses.Select(u => u.ToString()), Is.Empty);
    }

    [Test]
    public void Schema_and_policy_depend_on_no_engine_namespace_that_uses_Npgsql()
    {
        var dependencies = ArchitectureRules.NamespaceDependencies(EngineUses.Value, "Tcdb").Keys.ToList();
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(EngineUses.Value.Types.Select(t => t.Key.Namespace).Distinct().Where(n => PureNamespaces.Any(p => ArchitectureRules.InNamespace(n, p))));
        while (pending.TryDequeue(out var current))
        {
            if (reachable.Add(current))
            {
                foreach (var (_, to) in dependencies.Where(d => d.From == current))
                {
                    pending.Enqueue(to);
                }
            }
        }

        var driverUsers = reachable.Where(n => EngineUses.Value.Uses.Any(u => u.From.Namespace == n && u.To.Assembly == "Npgsql")).Order(StringComparer.Ordinal);

        Assert.That(driverUsers, Is.Empty, $"namespaces that {string.Join(" and ", PureNamespaces)} depend on (directly or not): {string.Join(", ", reachable.Order(StringComparer.Ordinal))}");
    }

    [TestCase("UsesNpgsqlInACall", "NpgsqlConnection", "the body of UsesNpgsqlInACall.Clear")]
    [TestCase("UsesNpgsqlInATypeTest", "NpgsqlException", "the body of UsesNpgsqlInATypeTest.IsDriverError")]
    [TestCase("UsesNpgsqlInACatch", "PostgresException", "the body of UsesNpgsqlInACatch.Fails")]
    [TestCase("UsesNpgsqlInALambda", "NpgsqlParameter", "the body of <>c.")]
    [TestCase("UsesNpgsqlInAField", "NpgsqlParameter", "field UsesNpgsqlInAField.parameters")]
    public void The_Npgsql_rule_reports_a_use_hidden_in_one_place(string sample, string used, string where)
    {
        var uses = ArchitectureRules.UsesOf(OwnUses.Value, [Samples], "Npgsql").Where(u => u.From.Name == sample).ToList();

        Assert.That(uses.Any(u => u.To.FullName == "Npgsql." + used && u.Where.StartsWith(where, StringComparison.Ordinal)), Is.True, string.Join(Environment.NewLine, uses));
    }

    [Test]
    public void The_Npgsql_rule_does_not_report_a_type_that_only_names_Npgsql_in_text()
    {
        var uses = ArchitectureRules.UsesOf(OwnUses.Value, [Samples], "Npgsql");

        Assert.That(uses.Where(u => u.From.Name == "NpgsqlLookAlike"), Is.Empty);
        Assert.That(uses.Select(u => u.From.Name).Distinct().ToList(), Has.Count.EqualTo(5), "the five samples that do use it");
    }

    [Test]
    public void The_engine_namespaces_have_no_cycle()
    {
        var dependencies = ArchitectureRules.NamespaceDependencies(EngineUses.Value, "Tcdb");

        Assert.That(dependencies, Is.Not.Empty, "the reader sees dependencies between the engine's namespaces");
        Assert.That(ArchitectureRules.NamespaceCycles(EngineUses.Value, "Tcdb"), Is.Empty);
        foreach (var (inner, outer) in ArchitectureRules.PrivateNamespaces(EngineUses.Value, "Tcdb"))
        {
            TestContext.Out.WriteLine($"{inner}: every type internal, counted as part of {outer}");
        }
    }

    [Test]
    public void The_architecture_document_states_the_real_folder_dependencies()
    {
        var actual = ArchitectureRules.FolderDependencies(EngineUses.Value, "Tcdb", RootFolder);
        var document = File.ReadAllText(Path.Join(DocsTests.RepositoryRoot(), "docs", "ARCHITECTURE.md"));

        Assert.That(actual, Has.Count.GreaterThan(10), "the reader sees the folders' dependencies");
        var differences = ArchitectureRules.DocumentedDependencyDifferences(document, DependencyHeading, actual);
        Assert.That(differences, Is.Empty, "docs/ARCHITECTURE.md against the built engine:" + Environment.NewLine + string.Join(Environment.NewLine, differences));
    }

    [Test]
    public void The_documented_dependencies_rule_reports_a_missing_a_wrong_and_an_unlisted_dependency()
    {
        var actual = new HashSet<(string From, string To)> { ("Policy", "Schema"), ("Verification", "Schema"), ("Verification", "Snapshots"), ("Snapshots", "Servers") };
        var document = $"""
            # Title
            {DependencyHeading}
            - `Schema`: -
            - `Policy`: `Schema`
            - `Verification`: `Schema`, `Migration`
            - `Snapshots`: `Servers`
            ## Next
            - `Servers`: `Schema`
            """;

        Assert.That(ArchitectureRules.DocumentedDependencyDifferences(document, DependencyHeading, actual), Is.EqualTo(new[]
        {
            "Verification uses Snapshots, which the document does not state",
            "the document states Verification uses Migration, which it does not",
            "folder Servers is not listed",
        }));
        var agreeing = document.Replace("`Migration`", "`Snapshots`", StringComparison.Ordinal).Replace("## Next", "- `Servers`:\n## Next", StringComparison.Ordinal);
        Assert.That(ArchitectureRules.DocumentedDependencyDifferences(agreeing, DependencyHeading, actual), Is.Empty, "the look-alike that agrees");
        Assert.That(ArchitectureRules.DocumentedDependencyDifferences("# Title\n", DependencyHeading, actual), Is.EqualTo(new[] { $"no list of folder dependencies under the heading \"{DependencyHeading}\"" }));
    }

    [Test]
    public void A_namespace_with_a_public_type_is_no_private_part_of_the_one_it_sits_in()
    {
        var folded = ArchitectureRules.PrivateNamespaces(OwnUses.Value, Samples);

        Assert.That(folded, Is.EquivalentTo(new Dictionary<string, string> { [$"{Samples}.Internals"] = Samples }));
        Assert.That(ArchitectureRules.NamespaceDependencies(OwnUses.Value, Samples).Keys, Does.Contain(($"{Samples}.Internals", Samples)).And.Contain((Samples, $"{Samples}.Internals")), "the two-way dependency the rule accepts");
    }

    [Test]
    public void The_cycle_rule_reports_two_namespaces_that_use_each_other()
    {
        var cycles = ArchitectureRules.NamespaceCycles(OwnUses.Value, Samples);

        Assert.That(cycles.Split(Environment.NewLine).Where(l => l.StartsWith("cycle:", StringComparison.Ordinal)), Is.EqualTo(new[] { $"cycle: {Samples}.CycleA -> {Samples}.CycleB -> {Samples}.CycleA" }));
        Assert.That(cycles, Does.Contain($"{Samples}.CycleA.First uses {Samples}.CycleB.Second [Tcdb.Harness.Tests] in the body of First.Value"));
        Assert.That(cycles, Does.Contain($"{Samples}.CycleB.Second uses {Samples}.CycleA.First [Tcdb.Harness.Tests] in the signature of Second.Is"));
    }

    [Test]
    public void The_cycle_finder_reports_each_cycle_group_once_with_a_shortest_cycle()
    {
        (string, string)[] edges =
        [
            ("a", "b"), ("b", "c"), ("c", "a"), ("c", "b"), ("d", "a"), ("d", "d"),
            ("x", "y"), ("y", "x"), ("y", "z"),
        ];

        var cycles = DependencyCycles.Find(edges);

        Assert.That(DependencyCycles.Describe(cycles), Is.EqualTo($"a -> b -> c -> a{Environment.NewLine}x -> y -> x"));
    }

    [Test]
    public void The_cycle_finder_reports_nothing_for_a_graph_without_cycles()
    {
        (string, string)[] edges = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "c"), ("d", "a")];

        Assert.That(DependencyCycles.Find(edges), Is.Empty);
    }

    [Test]
    public void The_cycle_finder_handles_a_long_chain_closed_into_one_cycle()
    {
        var edges = Enumerable.Range(0, 20_000).Select(i => ($"n{i:D5}", $"n{(i + 1) % 20_000:D5}")).ToList();

        var cycles = DependencyCycles.Find(edges);

        Assert.That(cycles, Has.Count.EqualTo(1));
        Assert.That(cycles[0], Has.Count.EqualTo(20_001));
    }

    /// <summary>Every project under src/ with the assembly it builds.</summary>
    private static List<(string Project, string Assembly)> SourceProjects()
    {
        var src = Path.Join(DocsTests.RepositoryRoot(), "src");
        return [.. Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => (p, XDocument.Load(p).Descendants().FirstOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value ?? Path.GetFileNameWithoutExtension(p)))];
    }
}
