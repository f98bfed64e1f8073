using System.Globalization;
using Tcdb.Authoring;
using Tcdb.Cli;
using Tcdb.Harness.Tests.Cli;
using Tcdb.Harness.Tests.Schema;
using Tcdb.Schema;

namespace Tcdb.Harness.Tests.Authoring;

[TestFixture]
public sealed class DocsTests
{
    [Test]
    public async Task GeneratingTwiceGivesTheSameBytes()
    {
        using var repository = TempRepository.Copy("valid/simple");
        var fns = Path.Join(repository.Db, "fns.md");

        var first = await CliRun.RunAsync("docs", "--db-dir", repository.Db);
        var firstBytes = await File.ReadAllBytesAsync(fns);
        var second = await CliRun.RunAsync("docs", "--db-dir", repository.Db);

        Assert.That(first.ExitCode, Is.EqualTo(ExitCodes.Ok), first.ToString);
        Assert.That(second.ExitCode, Is.EqualTo(ExitCodes.Ok), second.ToString);
        Assert.That(await File.ReadAllBytesAsync(fns), Is.EqualTo(firstBytes));
        Assert.That(firstBytes, Does.Not.Contain((byte)'\r'));
        Assert.That(firstBytes.Take(3), Is.Not.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "no byte order mark");
    }

    [Test]
    public void TheCurrentCultureDoesNotChangeTheOutput()
    {
        var schema = SchemaLoader.Load(TestDirectories.Valid("simple"));
        var expected = FunctionDocs.Generate(schema);
        var saved = CultureInfo.CurrentCulture;
        try
        {
            foreach (var culture in new[] { "tr-TR", "sv-SE", "ja-JP" })
            {
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
                Assert.That(FunctionDocs.Generate(schema), Is.EqualTo(expected), culture);
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Test]
    public void EachMethodHasModeArgumentsReturnsDescriptionAndItsLastDefiningVersion()
    {
        var text = FunctionDocs.Generate(SchemaLoader.Load(TestDirectories.Valid("simple")));

        Assert.That(text, Does.Contain("""
            ### get_widget

            * Mode: read
            * Arguments:
              * `name_in text`
            * Returns: a table of
              * `name text`
              * `created timestamptz`
              * `data jsonb`
            * Last defined in version: 2

            Get one widget by name (now documented better).
            """));
        Assert.That(text, Does.Contain("### create_widget\n\n* Mode: write\n* Arguments:\n  * `name_in text`\n  * `data_in jsonb`\n* Returns: `void`\n* Last defined in version: 1\n"));
        Assert.That(text, Does.Contain("* [service_a](#service_a) (2 active, 1 deprecated)\n  * [`create_widget`](#create_widget)\n  * [`get_widget`](#get_widget)\n"));
    }

    [Test]
    public void DeprecatedMethodsAreListedApartAndNotAsActive()
    {
        var text = FunctionDocs.Generate(SchemaLoader.Load(TestDirectories.Valid("simple")));

        Assert.That(text, Does.Not.Contain("### count_widgets"));
        Assert.That(text, Does.Not.Contain("[`count_widgets`]"));
        Assert.That(text, Does.Contain("### Deprecated methods of service_a\n"));
        Assert.That(text, Does.Contain("* `count_widgets()`: deprecated since version 3, last defined in version 2\n"));
    }

    [Test]
    public void ServicesAndMethodsSortUnderscoreBeforeDigitsAndLetters()
    {
        var schema = SchemaOf(
            Method("get_group2", "queue"), Method("get_group_size", "queue"), Method("get_groupa", "queue"), Method("create_client", "auth"));

        var text = FunctionDocs.Generate(schema);

        var order = new[] { "## auth", "### create_client", "## queue", "### get_group_size", "### get_group2", "### get_groupa" }
            .Select(heading => text.IndexOf(heading + "\n", StringComparison.Ordinal)).ToList();
        Assert.That(order, Is.All.GreaterThanOrEqualTo(0), text);
        Assert.That(order, Is.Ordered, text);
    }

    [Test]
    public void MultiLineArgumentsAndBacktickBodiesStayReadable()
    {
        var method = Method("list_things", "svc") with
        {
            Args = "page_size_in integer,\n  after_in numeric(10, 2)",
            Returns = "table(\n  id text,\n  amount numeric(10, 2))",
            Body = "begin\n  -- ```not a fence```\nend",
        };

        var text = FunctionDocs.Generate(SchemaOf(method));

        Assert.That(text, Does.Contain("* Arguments:\n  * `page_size_in integer`\n  * `after_in numeric(10, 2)`\n"));
        Assert.That(text, Does.Contain("* Returns: a table of\n  * `id text`\n  * `amount numeric(10, 2)`\n"));
        Assert.That(text, Does.Contain("````sql\nbegin\n  -- ```not a fence```\nend\n````\n"));
    }

    [Test]
    public async Task CheckPassesWhenCurrentAndFailsNamingTheCommandWhenADescriptionChanged()
    {
        using var repository = TempRepository.Copy("valid/simple");
        await CliRun.RunAsync("docs", "--db-dir", repository.Db);

        var current = await CliRun.RunAsync("docs", "--db-dir", repository.Db, "--check");
        var version2 = Path.Join(repository.Versions, "0002.yml");
        await File.WriteAllTextAsync(version2, (await File.ReadAllTextAsync(version2)).Replace("(now documented better)", "(documented even better)"));
        var stale = await CliRun.RunAsync("docs", "--db-dir", repository.Db, "--check");

        Assert.That(current.ExitCode, Is.EqualTo(ExitCodes.Ok), current.ToString);
        Assert.That(stale.ExitCode, Is.EqualTo(ExitCodes.Findings), stale.ToString);
        var fns = Path.Join(repository.Db, "fns.md");
        Assert.That(stale.Error, Does.Contain($"{fns}:"));
        Assert.That(stale.Error, Does.Contain("expected 'Get one widget by name (documented even better).', found 'Get one widget by name (now documented better).'"), stale.ToString);
        Assert.That(stale.Error, Does.Contain($"regenerate it with: tcdb docs --db-dir {repository.Db}"), stale.ToString);
    }

    [Test]
    public async Task CheckFailsWhenTheFileIsMissing()
    {
        using var repository = TempRepository.Copy("valid/simple");

        var run = await CliRun.RunAsync("docs", "--db-dir", repository.Db, "--check");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Findings), run.ToString);
        Assert.That(run.Error, Does.Contain("fns.md does not exist"));
    }

    [Test]
    public async Task AnUnloadableDirectoryExitsTwo()
    {
        var run = await CliRun.RunAsync("docs", "--db-dir", TestDirectories.Broken("missing-version"), "--check");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.UnusableInput), run.ToString);
        Assert.That(run.Error, Does.Contain("version 2 is missing"));
    }

    /// <summary>
    /// The repository's own db/fns.md must match db/versions. Skipped (not passed) while db/versions holds no version.
    /// </summary>
    [Test]
    public void TheRepositoryFunctionReferenceIsUpToDate()
    {
        var db = Path.Join(RepositoryRoot(), "db");
        if (VersionFiles.Find(Path.Join(db, "versions")).Count == 0)
        {
            Assert.Ignore($"{db}/versions has no version yet");
        }

        var upToDate = FunctionDocs.IsUpToDate(SchemaLoader.Load(db), Path.Join(db, FunctionDocs.FileName), out var problem);

        Assert.That(upToDate, Is.True, $"{problem}\nregenerate it with: ./tcdb docs");
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "Taskcluster.DbTests.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Taskcluster.DbTests.sln above {TestContext.CurrentContext.TestDirectory}");
    }

    private static DbMethod Method(string name, string service) =>
        new(name, $"Does {name}.", MethodMode.Read, service, "id_in text", "void", "begin\nend", Deprecated: false);

    private static DbSchema SchemaOf(params DbMethod[] methods) =>
        new([new DbVersion(1, "one", null, null, methods)], [], new Dictionary<string, IReadOnlyDictionary<string, string>>());
}
