using System.Xml.Linq;

namespace Tcdb.Harness.Tests.Architecture;

/// <summary>The rules the architecture tests hold the assemblies of src/ to, as functions of what was read, so each can be fed a violation.</summary>
public static class ArchitectureRules
{
    /// <summary>Whether an assembly or package name is NUnit's (the framework, its legacy asserts, its adapter, its analyzers).</summary>
    public static bool IsNUnit(string name) => name.StartsWith("nunit", StringComparison.OrdinalIgnoreCase);

    /// <summary>The assemblies <paramref name="assembly"/> references that are NUnit's.</summary>
    public static IReadOnlyList<string> NUnitReferences(AssemblyTypeUses assembly) => [.. assembly.ReferencedAssemblies.Where(IsNUnit)];

    /// <summary>The uses, by types of <paramref name="user"/>, of types of <paramref name="used"/> that are not public.</summary>
    public static IReadOnlyList<TypeUse> NonPublicUses(AssemblyTypeUses user, AssemblyTypeUses used)
    {
        var visible = used.Types.ToDictionary(t => t.Key, t => t.IsPublic);
        return [.. user.Uses.Where(u => u.To.Assembly == used.Name && !visible.GetValueOrDefault(u.To, true))];
    }

    /// <summary>Whether <paramref name="name"/> is <paramref name="root"/> or a namespace inside it.</summary>
    public static bool InNamespace(string name, string root) => name == root || name.StartsWith(root + ".", StringComparison.Ordinal);

    /// <summary>Every use, by a type of one of <paramref name="namespaces"/> (or a namespace inside one), of a type defined in assembly <paramref name="usedAssembly"/>.</summary>
    public static IReadOnlyList<TypeUse> UsesOf(AssemblyTypeUses assembly, IReadOnlyCollection<string> namespaces, string usedAssembly) =>
        [.. assembly.Uses.Where(u => namespaces.Any(n => InNamespace(u.From.Namespace, n)) && u.To.Assembly == usedAssembly)];

    /// <summary>
    /// The namespace dependencies inside <paramref name="root"/> of one assembly: namespace A depends on B when a type
    /// of A uses a type of B (both defined in the assembly). Each edge keeps the uses that make it.
    /// </summary>
    public static IReadOnlyDictionary<(string From, string To), IReadOnlyList<TypeUse>> NamespaceDependencies(AssemblyTypeUses assembly, string root) =>
        ComponentDependencies(assembly, root, n => n);

    /// <summary>
    /// The namespaces inside <paramref name="root"/> that are the private part of the namespace they sit in: every type
    /// of theirs is internal, and the namespace one level up defines types. Their types may use the enclosing
    /// namespace's types and be used by them (it is one component whose entry points are public), so the cycle rule
    /// counts them as part of the enclosing namespace. Maps each to that namespace.
    /// </summary>
    public static IReadOnlyDictionary<string, string> PrivateNamespaces(AssemblyTypeUses assembly, string root)
    {
        var byNamespace = assembly.Types.GroupBy(t => t.Key.Namespace).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var folded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, types) in byNamespace.OrderBy(n => n.Key.Length))
        {
            var dot = name.LastIndexOf('.');
            var parent = dot < 0 ? string.Empty : name[..dot];
            if (InNamespace(name, root) && name != root && InNamespace(parent, root) && byNamespace.ContainsKey(parent) && types.All(t => !t.IsPublic))
            {
                folded[name] = folded.GetValueOrDefault(parent, parent);
            }
        }

        return folded;
    }

    /// <summary>
    /// The namespace cycles inside <paramref name="root"/>, with <see cref="PrivateNamespaces"/> counted as part of the
    /// namespace they sit in, each with up to three uses per edge as evidence; empty when there is none.
    /// </summary>
    public static string NamespaceCycles(AssemblyTypeUses assembly, string root)
    {
        var folded = PrivateNamespaces(assembly, root);
        var dependencies = ComponentDependencies(assembly, root, n => folded.GetValueOrDefault(n, n));
        var cycles = DependencyCycles.Find(dependencies.Keys);
        var lines = new List<string>();
        foreach (var cycle in cycles)
        {
            lines.Add("cycle: " + string.Join(" -> ", cycle));
            foreach (var (from, to) in cycle.Zip(cycle.Skip(1)))
            {
                var uses = dependencies[(from, to)];
                lines.Add($"  {from} -> {to}: " + string.Join("; ", uses.Take(3)) + (uses.Count > 3 ? $"; and {uses.Count - 3} more" : string.Empty));
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// The dependencies between the top-level folders of <paramref name="root"/> (<c>Tcdb.Seeding.Shapes</c> counts as
    /// <c>Seeding</c>); types directly in <paramref name="root"/> count as the folder named by
    /// <paramref name="rootFolder"/>.
    /// </summary>
    public static IReadOnlySet<(string From, string To)> FolderDependencies(AssemblyTypeUses assembly, string root, string rootFolder) =>
        ComponentDependencies(assembly, root, n => n == root ? rootFolder : n[(root.Length + 1)..].Split('.')[0]).Keys.ToHashSet();

    /// <summary>
    /// The folder dependencies a document states, as list items <c>- `Folder`: `Used`, `Other`</c> (a dash or nothing
    /// after the colon: it uses none) between the heading <paramref name="heading"/> and the next heading, compared with
    /// <paramref name="actual"/>: one line per dependency the code has and the document lacks, per stated dependency the
    /// code lacks, and per folder the document does not list. Empty when they agree.
    /// </summary>
    public static IReadOnlyList<string> DocumentedDependencyDifferences(string document, string heading, IReadOnlySet<(string From, string To)> actual)
    {
        var lines = document.Split('\n').Select(l => l.TrimEnd('\r')).SkipWhile(l => l != heading).Skip(1).TakeWhile(l => !l.StartsWith('#')).ToList();
        var stated = new HashSet<(string From, string To)>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^- `(?<from>[A-Za-z]+)`:(?<uses>.*)$");
            if (match.Success)
            {
                listed.Add(match.Groups["from"].Value);
                foreach (System.Text.RegularExpressions.Match used in System.Text.RegularExpressions.Regex.Matches(match.Groups["uses"].Value, "`([A-Za-z]+)`"))
                {
                    stated.Add((match.Groups["from"].Value, used.Groups[1].Value));
                }
            }
        }

        if (listed.Count == 0)
        {
            return [$"no list of folder dependencies under the heading \"{heading}\""];
        }

        return
        [
            .. actual.Except(stated).Order().Select(d => $"{d.From} uses {d.To}, which the document does not state"),
            .. stated.Except(actual).Order().Select(d => $"the document states {d.From} uses {d.To}, which it does not"),
            .. actual.SelectMany(d => new[] { d.From, d.To }).Distinct().Where(f => !listed.Contains(f)).Order(StringComparer.Ordinal).Select(f => $"folder {f} is not listed"),
        ];
    }

    private static Dictionary<(string From, string To), IReadOnlyList<TypeUse>> ComponentDependencies(AssemblyTypeUses assembly, string root, Func<string, string> component) =>
        assembly.Uses
            .Where(u => u.To.Assembly == assembly.Name && InNamespace(u.From.Namespace, root) && InNamespace(u.To.Namespace, root))
            .Select(u => (From: component(u.From.Namespace), To: component(u.To.Namespace), Use: u))
            .Where(e => e.From != e.To)
            .GroupBy(e => (e.From, e.To))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<TypeUse>)[.. g.Select(e => e.Use)]);

    /// <summary>
    /// The packages a project brings to its consumers: its own <c>PackageReference</c>s and those of every project it
    /// references, transitively (a package marked <c>PrivateAssets="all"</c>, like an analyzer, stays private).
    /// Each is named with the project that references it.
    /// </summary>
    public static IReadOnlyList<string> Packages(string projectFile)
    {
        var packages = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Visit(Path.GetFullPath(projectFile));
        return packages;

        void Visit(string project)
        {
            if (!visited.Add(project))
            {
                return;
            }

            var document = XDocument.Load(project);
            foreach (var reference in document.Descendants().Where(e => e.Name.LocalName == "PackageReference"))
            {
                var privateAssets = (string?)reference.Attribute("PrivateAssets")
                    ?? reference.Elements().FirstOrDefault(e => e.Name.LocalName == "PrivateAssets")?.Value;
                if (!string.Equals(privateAssets?.Trim(), "all", StringComparison.OrdinalIgnoreCase))
                {
                    packages.Add($"{(string?)reference.Attribute("Include")} (in {project})");
                }
            }

            foreach (var reference in document.Descendants().Where(e => e.Name.LocalName == "ProjectReference"))
            {
                var include = ((string?)reference.Attribute("Include") ?? string.Empty).Replace('\\', Path.DirectorySeparatorChar);
                Visit(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include)));
            }
        }
    }
}
