using Tcdb.Reporting;

namespace Tcdb.Harness.Tests.Reporting;

[TestFixture]
public sealed class ReportFilesTests
{
    [TestCase("plain", "plain")]
    [TestCase("a | b", "a \\| b")]
    [TestCase("first\nsecond", "first second")]
    [TestCase("first\r\nsecond\n\nthird\n", "first second third")]
    [TestCase("", "")]
    public void AMarkdownCellIsOneLineWithItsPipesEscaped(string text, string cell) =>
        Assert.That(ReportFiles.MarkdownCell(text), Is.EqualTo(cell));

    [Test]
    public void AReportIsWrittenAsUtf8WithoutAByteOrderMarkIntoADirectoryCreatedForIt()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tcdb-report-").FullName, "new", "r.md");

        ReportFiles.Write(path, "é\n");

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 0xC3, 0xA9, (byte)'\n' }));
    }
}
