namespace Tcdb.Cost;

/// <summary>PostgreSQL's table lock modes as pg_locks names them: their strength and what they block.</summary>
public static class LockModes
{
    public const string AccessExclusive = "AccessExclusiveLock";

    /// <summary>Weakest to strongest.</summary>
    private static readonly string[] Order =
    [
        "AccessShareLock",
        "RowShareLock",
        "RowExclusiveLock",
        "ShareUpdateExclusiveLock",
        "ShareLock",
        "ShareRowExclusiveLock",
        "ExclusiveLock",
        AccessExclusive,
    ];

    /// <summary>Position in the strength order (-1 for an unknown name).</summary>
    public static int Strength(string mode) => Array.IndexOf(Order, mode);

    /// <summary>Ordinary reads (ACCESS SHARE) wait: only ACCESS EXCLUSIVE conflicts with them.</summary>
    public static bool BlocksReads(string mode) => mode == AccessExclusive;

    /// <summary>Inserts, updates and deletes (ROW EXCLUSIVE) wait: SHARE and stronger conflict with them.</summary>
    public static bool BlocksWrites(string mode) => Strength(mode) >= Strength("ShareLock");

    /// <summary><c>AccessExclusiveLock</c> as the documentation writes it: ACCESS EXCLUSIVE.</summary>
    public static string Display(string mode)
    {
        var name = mode.EndsWith("Lock", StringComparison.Ordinal) ? mode[..^4] : mode;
        var words = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToUpperInvariant(c));
        }

        return words.ToString();
    }
}
