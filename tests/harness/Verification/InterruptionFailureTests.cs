using Tcdb.Schema;
using Tcdb.Testing;
using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// A step that fails only in an interruption scenario (a downgrade that refuses a half-migrated table) is a
/// defect of the version, not a crash of the verification; the same version with a downgrade that copes passes.
/// </summary>
[TestFixture]
public sealed class InterruptionFailureTests
{
    private static readonly string OnlineUpgrade = $"""
        begin
          alter table things add column big boolean;
          {Migration.TestSchemas.OnlineKeyWalk(
              "migration",
              2,
              "things",
              "update things set big = things.size > 10 where things.id = item.id",
              "perform 1 from things where things.big is null limit 1;\n  return not found;")}
        end
        """;

    [Test]
    public async Task ADowngradeThatFailsOnlyAfterAnInterruptedUpgradeIsADefect()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, OnlineUpgrade, "begin\n  perform 1 from things where big is null;\n  if found then\n    raise exception 'things is half migrated';\n  end if;\n  alter table things drop column big;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  big: boolean");

        var report = await VerifyAsync(dir);

        var defect = report.Findings.Where(f => f.IsDefect).Select(f => f.ToString()).ToList();
        Assert.That(defect, Has.Some.StartsWith("v0002 defect online-migration: an interruption scenario failed: ").And.Some.Contains("things is half migrated"), string.Join("\n", defect));
    }

    [Test]
    public async Task ADowngradeThatCopesWithAHalfMigratedTablePasses()
    {
        using var dir = new DbDirectoryBuilder()
            .ScriptVersion(2, OnlineUpgrade, "begin\n  alter table things drop column big;\nend")
            .Tables(DbDirectoryBuilder.BaseTables + "\n  big: boolean");

        var report = await VerifyAsync(dir);

        Assert.That(report.Findings.Where(f => f.IsDefect).Select(f => f.ToString()), Is.Empty);
    }

    private static async Task<VerificationReport> VerifyAsync(DbDirectoryBuilder dir) =>
        await new VerifyEngine(await TestServer.GetAsync(), new VerifyOptions { Schema = SchemaLoader.Load(dir.Path), Jobs = 1 }).RunAsync();
}
