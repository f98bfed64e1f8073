using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Tcdb.Migration;
using Tcdb.Schema;
using Tcdb.Seeding;
using Tcdb.Verification;

namespace Tcdb.Testing;

/// <summary>
/// Base class of a version's NUnit test. Its test runs the per-version shape on a clone of a template at
/// N-1: generic seed plus <see cref="SeedAsync"/>, snapshot, upgrade to N (with online migration), then
/// <see cref="AssertAfterUpgradeAsync"/>, downgrade (catalog and rows must equal the snapshot, except
/// <see cref="RegeneratedColumns"/>), <see cref="AssertBeforeUpgradeAsync"/>, re-upgrade (catalog must equal
/// the first upgrade's), every stored function called after each step, and the online interruption
/// scenarios with <see cref="CheckDuringOnlineWorkAsync"/> at each checkpoint. A test that seeds its own
/// rows is strict: an upgrade that fails on them is a defect. An assertion that fails in one of the
/// overrides fails the test there (the rest of the shape does not run).
/// </summary>
/// <remarks>
/// The version under test comes from the class name <c>V&lt;four or more digits&gt;Test</c> (<c>V0007Test</c> tests
/// version 7). A class named otherwise passes the number to <see cref="VersionTest(int)"/>; a class with such a name
/// that passes another number fails at construction, so name and number never disagree.
/// </remarks>
/// <example>
/// <code>
/// public sealed class V0007Test : VersionTest
/// {
///     protected override Task SeedAsync(VersionContext db) =&gt; db.ExecuteAsync("select clients_entities_create(...)");
///     protected override async Task AssertAfterUpgradeAsync(VersionContext db) =&gt;
///         Assert.That(await db.ScalarAsync&lt;long&gt;("select count(*) from clients"), Is.EqualTo(3));
/// }
/// </code>
/// </example>
[TestFixture]
public abstract partial class VersionTest
{
    /// <summary>A test of the version its class name gives (<c>V0007Test</c>: version 7).</summary>
    /// <exception cref="InvalidOperationException">the class is not named <c>VNNNNTest</c>.</exception>
    protected VersionTest()
    {
        Version = NumberInName(GetType()) ?? throw new InvalidOperationException(
            $"{GetType().FullName}: a version test takes its version from its class name, V<four digits>Test (e.g. V0007Test for version 7); " +
            "rename the class, or pass the version to the base constructor (: VersionTest(7))");
    }

    /// <summary>A test of <paramref name="version"/>, for a class not named <c>VNNNNTest</c>.</summary>
    /// <exception cref="ArgumentException">the class is named <c>VNNNNTest</c> for another version.</exception>
    protected VersionTest(int version)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (NumberInName(GetType()) is { } named && named != version)
        {
            throw new ArgumentException($"{GetType().FullName} is passed version {version}, but its name says version {named}; rename the class or drop the number", nameof(version));
        }

        Version = version;
    }

    /// <summary>The version under test (N).</summary>
    protected int Version { get; }

    /// <summary>The db directory (default: the first <c>db/</c> with <c>versions/</c> above the test's bin folder).</summary>
    protected virtual string DbDirectory => DbDirectories.Find();

    /// <summary><c>table.column</c> values a downgrade legitimately regenerates (e.g. an etag); ignored when rows are compared.</summary>
    protected virtual IReadOnlyCollection<string> RegeneratedColumns => [];

    /// <summary>
    /// Rows after the downgrade must equal the rows before the upgrade, even where the upgrade discards data
    /// (dropped columns, deleted rows); by default such differences are only the warning data-discarded.
    /// </summary>
    protected virtual bool StrictDowngradeData => false;

    /// <summary>Rows per table of the generic seed (default <see cref="VerifyOptions.DefaultRowsPerTable"/>).</summary>
    protected virtual int RowsPerTable => VerifyOptions.DefaultRowsPerTable;

    /// <summary>Bogus rules for the generic seeder, per qualified table (e.g. <c>public.widgets</c>); adding any makes the test strict.</summary>
    protected virtual void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules)
    {
    }

    /// <summary>Inserts the version's own rows at N-1 (after the generic seed).</summary>
    protected virtual Task SeedAsync(VersionContext db) => Task.CompletedTask;

    /// <summary>Checks the state at N-1: after seeding, and again after the downgrade.</summary>
    protected virtual Task AssertBeforeUpgradeAsync(VersionContext db) => Task.CompletedTask;

    /// <summary>Checks the state at N: after the upgrade, and again after the re-upgrade.</summary>
    protected virtual Task AssertAfterUpgradeAsync(VersionContext db) => Task.CompletedTask;

    /// <summary>Checks that services keep working while online work runs (called at each checkpoint).</summary>
    protected virtual Task CheckDuringOnlineWorkAsync(VersionContext db, OnlineDirection direction, OnlineCheckpoint checkpoint) => Task.CompletedTask;

    [Test]
    public async Task UpgradeDowngradeAndReupgradeLeaveNoTrace()
    {
        var server = await TestServer.GetAsync();
        var schema = DbDirectories.Load(DbDirectory);
        Assert.That(Version, Is.LessThanOrEqualTo(schema.LatestVersion), $"{GetType().Name} tests version {Version}, but {DbDirectory} ends at version {schema.LatestVersion}");

        var templates = VersionTemplates.For(server, schema);
        await using var database = await templates.CloneAtAsync(Version - 1);
        var rules = new Dictionary<string, TableSeedRule>(StringComparer.Ordinal);
        ConfigureSeedRules(rules);
        var seeds = Overrides(nameof(SeedAsync));
        var hooks = new VersionHooks
        {
            Seed = seeds ? SeedAsync : null,
            SeedRules = rules,
            RowsPerTable = RowsPerTable,
            AssertBeforeUpgrade = AssertBeforeUpgradeAsync,
            AssertAfterUpgrade = AssertAfterUpgradeAsync,
            DuringOnlineWork = CheckDuringOnlineWorkAsync,
            RegeneratedColumns = RegeneratedColumns,
            StrictDowngradeData = StrictDowngradeData,
        };
        var releasesFile = Path.Combine(DbDirectory, "releases.txt");
        var options = new VerifyOptions
        {
            Schema = schema,
            Hooks = new Dictionary<int, VersionHooks> { [Version] = hooks },
            Releases = File.Exists(releasesFile) ? ReleaseHistory.Load(releasesFile) : null,
            Progress = line => TestContext.Progress.WriteLine(line),
        };

        // A failed assertion of a hook ends the check and fails the test as it is, reported once.
        var outcome = await SingleVersionCheck.RunAsync(options, templates.RolePrefix, Version, database);
        var result = outcome.Result;
        foreach (var note in result.Notes)
        {
            TestContext.Out.WriteLine($"note: {note}");
        }

        TestContext.Out.WriteLine($"v{Version:D4}: {result.SeededRows} generic rows seeded; " + string.Join(", ", result.PhaseMilliseconds.Select(p => $"{p.Key} {p.Value:0} ms")));
        var findings = outcome.Findings;
        var defects = findings.Where(f => f.IsDefect).Select(f => f.ToString()).ToList();
        foreach (var warning in findings.Where(f => !f.IsDefect))
        {
            TestContext.Out.WriteLine(warning.ToString());
        }

        Assert.That(defects, Is.Empty, $"version {Version} of {DbDirectory}:{Environment.NewLine}{string.Join(Environment.NewLine, defects)}");
    }

    /// <summary>The version a class name gives: <c>V0007Test</c> -> 7; null for a name of another form (or version 0).</summary>
    public static int? NumberInName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var match = NamePattern().Match(type.Name);
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0 ? version : null;
    }

    [GeneratedRegex(@"^V(\d{4,9})Test$")]
    private static partial Regex NamePattern();

    private bool Overrides(string method) =>
        GetType().GetMethod(method, BindingFlags.Instance | BindingFlags.NonPublic)?.DeclaringType != typeof(VersionTest);
}
