using System.Text.RegularExpressions;
using NUnit.Framework;
using Tcdb.Schema;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>
/// Every active method of db/ is called by some test of tests/fns. The check reads the test sources (not a
/// record of calls made), so it gives the same answer under any <c>--filter</c> and before any database
/// exists: a method counts as tested when its name appears as a C# string literal (<c>"name"</c>) in a
/// tests/fns source file other than this one. Entity methods are therefore spelled out in full in each
/// service's <c>EntityMethods</c> list.
/// </summary>
[TestFixture]
public sealed partial class CoverageTests
{
    [Test]
    public void Every_active_method_is_called_by_a_function_test()
    {
        var db = DbDirectories.Find(TestContext.CurrentContext.TestDirectory);
        var sources = Path.Combine(Path.GetDirectoryName(db)!, "tests", "fns");
        var literals = Directory.EnumerateFiles(sources, "*.cs", SearchOption.TopDirectoryOnly)
            .Where(f => Path.GetFileName(f) != "CoverageTests.cs")
            .SelectMany(f => Literal().Matches(WithoutComments(File.ReadAllText(f))).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

        var untested = SchemaLoader.Load(db).EffectiveMethods()
            .Where(m => !m.Deprecated && !literals.Contains(m.Name))
            .Select(m => $"{m.Name} ({m.Definition.ServiceName})")
            .ToList();

        Assert.That(untested, Is.Empty, $"active methods of {db} that no test in {sources} calls");
    }

    [Test]
    public void Names_in_comments_do_not_count()
    {
        const string source = "// \"in_a_line_comment\"\n/* \"in_a_block\" */ Call(\"real_call\");";

        var found = Literal().Matches(WithoutComments(source)).Select(m => m.Groups[1].Value);

        Assert.That(found, Is.EqualTo(new[] { "real_call" }));
    }

    private static string WithoutComments(string source) => Comment().Replace(source, string.Empty);

    [GeneratedRegex("\"([a-z0-9_]+)\"")]
    private static partial Regex Literal();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();
}
