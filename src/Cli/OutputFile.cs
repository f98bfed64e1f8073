namespace Tcdb.Cli;

/// <summary>Checks, before any work starts, that a command will be able to write the file an option names.</summary>
public static class OutputFile
{
    /// <summary>
    /// Throws <see cref="UsageException"/> naming <paramref name="option"/> when <paramref name="path"/> is a directory,
    /// its directory is missing (unless <paramref name="createDirectory"/>: then it is created) or it cannot be written.
    /// Nothing is left behind: a file created by the check is deleted again.
    /// </summary>
    public static void Check(string option, string path, bool createDirectory)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{option} {path} is a directory; give a file name inside it");
        }

        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        try
        {
            if (!Directory.Exists(directory))
            {
                if (!createDirectory)
                {
                    throw new UsageException($"{option} {path}: the directory {directory} does not exist; create it or choose another path");
                }

                Directory.CreateDirectory(directory);
            }

            var existed = File.Exists(full);
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            if (!existed)
            {
                File.Delete(full);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {path} cannot be written: {e.Message}");
        }
    }
}
