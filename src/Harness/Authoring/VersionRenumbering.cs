using System.Text;
using System.Text.RegularExpressions;
using Tcdb.Schema;
using Tcdb.Schema.Documents;

namespace Tcdb.Authoring;

/// <summary>
/// Moves a version to another number: renames <c>versions/OLD.yml</c> to <c>NEW.yml</c> and rewrites its
/// <c>version:</c> value wherever it is in the file; renames the external SQL files that belong to it (referenced by it
/// and named with the padded old number) and rewrites every reference to them in any version file; renames the
/// version test and rewrites its class name, constructor argument and file references; regenerates
/// <c>fns.md</c> when the directory has one. Every change is computed and the resulting directory loaded before
/// anything is written; a refusal (<see cref="AuthoringException"/>) changes nothing.
/// </summary>
public static partial class VersionRenumbering
{
    private static readonly string[] ScriptKeys = ["migrationScript", "downgradeScript"];

    /// <summary>Computes and validates the changes; throws <see cref="AuthoringException"/> to refuse.</summary>
    /// <param name="dbDirectory">The db directory (holding versions/).</param>
    /// <param name="testsDirectory">The version-tests directory (see <see cref="VersionFiles.DefaultTestsDirectory"/>).</param>
    /// <param name="from">The version to move.</param>
    /// <param name="to">Its new number.</param>
    public static FileChangeSet Plan(string dbDirectory, string testsDirectory, int from, int to)
    {
        if (from <= 0 || to <= 0)
        {
            throw new AuthoringException($"version numbers start at 1; cannot renumber {from} to {to}");
        }

        if (from == to)
        {
            throw new AuthoringException($"version {from} already has that number; nothing to do");
        }

        var versionsDirectory = Path.Join(dbDirectory, "versions");
        var files = VersionFiles.Find(versionsDirectory);
        if (!files.TryGetValue(from, out var fromName))
        {
            throw new AuthoringException($"{Path.Join(versionsDirectory, VersionFiles.VersionFileName(from))} not found; version {from} has no file to renumber");
        }

        if (files.TryGetValue(to, out var toName))
        {
            throw new AuthoringException($"{Path.Join(versionsDirectory, toName)} already exists; version {to} is taken (renumber it first, or pick a free number)");
        }

        var remaining = files.Keys.Where(v => v != from).Append(to).ToHashSet();
        var missing = Enumerable.Range(1, remaining.Max()).Where(v => !remaining.Contains(v)).ToList();
        if (missing.Count > 0)
        {
            throw new AuthoringException(
                $"renumbering version {from} to {to} would leave {Describe(missing)} missing; versions are numbered 1..N without gaps " +
                $"(the latest other version is {files.Keys.Where(v => v != from).DefaultIfEmpty(0).Max()})");
        }

        var changes = new List<FileChange>();
        var fromPath = Path.Join(versionsDirectory, fromName);
        var toPath = Path.Join(versionsDirectory, VersionFiles.VersionFileName(to));
        var fromDocument = Parse(fromPath);

        var versionScalar = fromDocument.Get("version") as DocScalar
            ?? throw new AuthoringException($"{fromPath}: no version: key to rewrite; expected version: {from}");
        var edits = new List<TextEdit> { new(versionScalar.Location, versionScalar.Value, to.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

        // External SQL files of this version: referenced by it and named after its padded number.
        var renamedSql = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in SqlReferences(fromDocument))
        {
            var name = reference.Value;
            if (!name.Contains('\n') && name.StartsWith(VersionFiles.Padded(from), StringComparison.Ordinal)
                && !(name.Length > 4 && char.IsAsciiDigit(name[4])) && File.Exists(Path.Join(versionsDirectory, name)))
            {
                renamedSql.TryAdd(name, VersionFiles.Padded(to) + name[4..]);
            }
        }

        foreach (var (oldName, newName) in renamedSql)
        {
            if (File.Exists(Path.Join(versionsDirectory, newName)))
            {
                throw new AuthoringException($"{Path.Join(versionsDirectory, newName)} already exists; cannot rename {oldName} to it");
            }

            changes.Add(new FileChange(Path.Join(versionsDirectory, newName), null, Path.Join(versionsDirectory, oldName)));
        }

        edits.AddRange(SqlReferences(fromDocument).Where(r => renamedSql.ContainsKey(r.Value)).Select(r => new TextEdit(r.Location, r.Value, renamedSql[r.Value])));
        changes.Add(new FileChange(toPath, TextEdits.Apply(ReadText(fromPath), edits), fromPath));

        // Other versions that reuse a renamed file (e.g. a downgrade that re-runs an older migration).
        if (renamedSql.Count > 0)
        {
            foreach (var (_, name) in files.Where(f => f.Key != from))
            {
                var path = Path.Join(versionsDirectory, name);
                var references = SqlReferences(Parse(path)).Where(r => renamedSql.ContainsKey(r.Value)).ToList();
                if (references.Count > 0)
                {
                    changes.Add(new FileChange(path, TextEdits.Apply(ReadText(path), references.Select(r => new TextEdit(r.Location, r.Value, renamedSql[r.Value])))));
                }
            }
        }

        var testPath = Path.Join(testsDirectory, VersionFiles.TestFileName(from));
        if (File.Exists(testPath))
        {
            var newTestPath = Path.Join(testsDirectory, VersionFiles.TestFileName(to));
            if (File.Exists(newTestPath))
            {
                throw new AuthoringException($"{newTestPath} already exists; cannot rename {testPath} to it");
            }

            changes.Add(new FileChange(newTestPath, RewriteTest(ReadText(testPath), from, to, renamedSql), testPath));
        }

        var schema = LoadResult(dbDirectory, changes);
        var docs = Path.Join(dbDirectory, FunctionDocs.FileName);
        if (File.Exists(docs))
        {
            changes.Add(new FileChange(docs, FunctionDocs.Generate(schema)));
        }

        return new FileChangeSet(changes);
    }

    /// <summary>The version test with the class name, the <c>VersionTest(N)</c> argument and file names moved to the new number.</summary>
    internal static string RewriteTest(string text, int from, int to, IReadOnlyDictionary<string, string> renamedFiles)
    {
        text = Regex.Replace(text, $@"\b{VersionFiles.TestClassName(from)}\b", VersionFiles.TestClassName(to));
        text = Regex.Replace(text, $@"\bVersionTest\(\s*0*{from}\s*\)", $"VersionTest({to})");
        text = Regex.Replace(text, $@"\b{VersionFiles.Padded(from)}\.yml\b", VersionFiles.VersionFileName(to));
        text = Regex.Replace(text, $@"\b[Vv]ersion {from}\b", m => $"{m.Value[..^from.ToString(System.Globalization.CultureInfo.InvariantCulture).Length]}{to}");
        foreach (var (oldName, newName) in renamedFiles)
        {
            text = text.Replace(oldName, newName, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Loads the directory as it would be after <paramref name="changes"/>, in a temporary copy; refuses when it would not load.</summary>
    private static DbSchema LoadResult(string dbDirectory, IReadOnlyList<FileChange> changes)
    {
        var fullDb = Path.GetFullPath(dbDirectory);
        var copy = Path.Join(Path.GetTempPath(), "tcdb-renumber-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Join(copy, "versions"));
            foreach (var file in Directory.EnumerateFiles(Path.Join(fullDb, "versions")))
            {
                File.Copy(file, Path.Join(copy, "versions", Path.GetFileName(file)));
            }

            foreach (var name in new[] { "access.yml", "tables.yml" })
            {
                if (File.Exists(Path.Join(fullDb, name)))
                {
                    File.Copy(Path.Join(fullDb, name), Path.Join(copy, name));
                }
            }

            string? InCopy(string path)
            {
                var relative = Path.GetRelativePath(fullDb, Path.GetFullPath(path));
                return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? null : Path.Join(copy, relative);
            }

            var inCopy = changes.Select(c => (Change: c, Path: InCopy(c.Path), Removed: c.RemovedPath is null ? null : InCopy(c.RemovedPath)))
                .Where(c => c.Path is not null)
                .Select(c => new FileChange(c.Path!, c.Change.Content, c.Removed))
                .ToList();
            new FileChangeSet(inCopy).Apply();
            return SchemaLoader.Load(copy);
        }
        catch (SchemaLoadException e)
        {
            var lines = e.Errors.Select(error => "  " + error.ToString().Replace(copy, dbDirectory, StringComparison.Ordinal));
            throw new AuthoringException($"after renumbering, {dbDirectory} would not load, so nothing was changed:\n{string.Join('\n', lines)}");
        }
        finally
        {
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }

    /// <summary>The script and body values of a version document (candidates for external file names).</summary>
    private static IEnumerable<DocScalar> SqlReferences(DocMapping version)
    {
        foreach (var key in ScriptKeys)
        {
            if (version.Get(key) is DocScalar { Kind: ScalarKind.String } script)
            {
                yield return script;
            }
        }

        if (version.Get("methods") is DocMapping methods)
        {
            foreach (var (_, method) in methods.Entries)
            {
                if (method is DocMapping fields && fields.Get("body") is DocScalar { Kind: ScalarKind.String } body)
                {
                    yield return body;
                }
            }
        }
    }

    private static DocMapping Parse(string path)
    {
        var errors = new ErrorList();
        var root = YamlDocumentReader.Read(path, ReadText(path), errors);
        if (errors.Count > 0)
        {
            throw new AuthoringException($"{path} cannot be read, so nothing was changed:\n{string.Join('\n', errors.Items.Select(e => "  " + e))}");
        }

        return root as DocMapping ?? throw new AuthoringException($"{path}: expected a mapping with version:, description:, methods:; nothing was changed");
    }

    private static string ReadText(string path) => File.ReadAllText(path, Encoding.UTF8);

    private static string Describe(IReadOnlyList<int> missing) =>
        missing.Count == 1 ? $"version {missing[0]}" : $"versions {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : string.Empty)}";
}
