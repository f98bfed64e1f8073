using System.Text;

namespace Tcdb.Authoring;

/// <summary>
/// One file operation of a <see cref="FileChangeSet"/>: write <see cref="Path"/>, then delete <see cref="RemovedPath"/> (if any).
/// </summary>
/// <param name="Path">The file written (created or replaced).</param>
/// <param name="Content">Its complete new text, written as UTF-8 without a byte order mark; null to copy the bytes of <see cref="RemovedPath"/> unchanged.</param>
/// <param name="RemovedPath">The file this one replaces under a new name (a rename), or null.</param>
public sealed record FileChange(string Path, string? Content, string? RemovedPath = null)
{
    public bool IsRename => RemovedPath is not null;

    public override string ToString() => RemovedPath is null ? $"write {Path}" : $"rename {RemovedPath} -> {Path}{(Content is null ? string.Empty : " (rewritten)")}";
}

/// <summary>
/// A set of file writes and renames computed in full before anything touches the disk, then applied together:
/// every new text is written to a temporary file next to its target first, and only when all of them are written
/// are they moved into place and the renamed originals deleted. A failure while writing leaves the tree unchanged.
/// </summary>
public sealed class FileChangeSet(IReadOnlyList<FileChange> changes)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public IReadOnlyList<FileChange> Changes { get; } = changes;

    public void Apply()
    {
        var staged = new List<(string Temporary, FileChange Change)>();
        try
        {
            foreach (var change in Changes)
            {
                var temporary = change.Path + ".tcdb-" + Guid.NewGuid().ToString("N")[..8];
                if (change.Content is not null)
                {
                    File.WriteAllText(temporary, change.Content, Utf8);
                }
                else
                {
                    File.Copy(change.RemovedPath ?? throw new InvalidOperationException($"{change}: neither content nor a source file"), temporary);
                }

                staged.Add((temporary, change));
            }
        }
        catch
        {
            foreach (var (temporary, _) in staged)
            {
                File.Delete(temporary);
            }

            throw;
        }

        foreach (var (temporary, change) in staged)
        {
            File.Move(temporary, change.Path, overwrite: true);
        }

        foreach (var change in Changes)
        {
            if (change.RemovedPath is not null && !Changes.Any(c => c.Path == change.RemovedPath))
            {
                File.Delete(change.RemovedPath);
            }
        }
    }
}
