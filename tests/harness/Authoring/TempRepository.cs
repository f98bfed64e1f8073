using System.Text;
using Tcdb.Harness.Tests.Schema;

namespace Tcdb.Harness.Tests.Authoring;

/// <summary>
/// A throwaway repository layout in the temp folder: <c>db/</c> (a copy of a TestData directory) and
/// <c>tests/versions/</c>, deleted on dispose. <see cref="Snapshot"/> captures every file's bytes to prove what changed.
/// </summary>
public sealed class TempRepository : IDisposable
{
    private TempRepository(string root)
    {
        Root = root;
        Directory.CreateDirectory(TestsDirectory);
    }

    public string Root { get; }

    public string Db => Path.Join(Root, "db");

    public string Versions => Path.Join(Db, "versions");

    public string TestsDirectory => Path.Join(Root, "tests", "versions");

    /// <summary>A copy of TestData/<paramref name="relativeTestData"/> (e.g. "valid/simple") as <c>db/</c>.</summary>
    public static TempRepository Copy(string relativeTestData)
    {
        var repository = new TempRepository(Path.Join(Path.GetTempPath(), "tcdb-authoring-" + Guid.NewGuid().ToString("N")));
        CopyDirectory(Path.Join(TestDirectories.Root, relativeTestData), repository.Db);
        return repository;
    }

    public string ReadVersion(string name) => File.ReadAllText(Path.Join(Versions, name), Encoding.UTF8);

    public void WriteTest(string name, string text) => File.WriteAllText(Path.Join(TestsDirectory, name), text);

    /// <summary>Every file under the root by relative path, with its bytes.</summary>
    public IReadOnlyDictionary<string, byte[]> Snapshot() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(Root, path).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Join(target, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Join(target, Path.GetFileName(directory)));
        }
    }
}
