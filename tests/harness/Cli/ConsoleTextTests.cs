using Tcdb.Cli;

namespace Tcdb.Harness.Tests.Cli;

[TestFixture]
public sealed class ConsoleTextTests
{
    [Test]
    public void LongMultiLineSqlBecomesOneTrimmedLinePointingAtTheReport()
    {
        var sql = "v0003 defect changed-object: function get_thing body:\n" + string.Concat(Enumerable.Repeat("  select things.id,\n    things.name from things;\n", 30));

        var line = ConsoleText.OneLine(sql);

        Assert.That(line, Has.Length.EqualTo(ConsoleText.MaxLine));
        Assert.That(line, Does.Not.Contain("\n"));
        Assert.That(line, Does.StartWith("v0003 defect changed-object: function get_thing body: select things.id, things.name from things; select"));
        Assert.That(line, Does.EndWith($"characters; the full text is in the report (--report FILE)]"));
    }

    [Test]
    public void ShortLinesAreKept() =>
        Assert.That(ConsoleText.OneLine("v0002 defect stray-object: + index public.a_idx"), Is.EqualTo("v0002 defect stray-object: + index public.a_idx"));
}
