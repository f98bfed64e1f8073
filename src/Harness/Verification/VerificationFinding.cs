namespace Tcdb.Verification;

/// <summary>Whether a finding fails verification.</summary>
public enum FindingSeverity
{
    /// <summary>Something is wrong with the directory: verification fails (exit 1).</summary>
    Defect,

    /// <summary>Worth reading, never fatal.</summary>
    Warning,

    /// <summary>Recorded in reports for the curious; not printed as a warning (e.g. a deprecated function past its window).</summary>
    Info,
}

/// <summary>What a <see cref="VerificationFinding"/> is about.</summary>
public enum VerificationFindingKind
{
    /// <summary>A static policy rule (tcdb check) reported it.</summary>
    Policy,

    /// <summary>After the downgrade an object exists that did not exist before the upgrade.</summary>
    StrayObject,

    /// <summary>After the downgrade an object that existed before the upgrade is gone.</summary>
    MissingObject,

    /// <summary>After the downgrade an object differs from before the upgrade.</summary>
    ChangedObject,

    /// <summary>After the re-upgrade the catalog differs from after the first upgrade.</summary>
    ReupgradeDiffers,

    /// <summary>Rows the database held at N did not survive the downgrade and re-upgrade, or the downgrade altered rows the upgrade kept.</summary>
    DataChanged,

    /// <summary>The upgrade discards data (a dropped table or column, deleted or rewritten rows) that no downgrade can bring back.</summary>
    DataDiscarded,

    /// <summary>The upgrade failed.</summary>
    UpgradeFailed,

    /// <summary>The downgrade failed.</summary>
    DowngradeFailed,

    /// <summary>The upgrade after a downgrade failed.</summary>
    ReupgradeFailed,

    /// <summary>The upgrade fails on generic seed rows but succeeds without them.</summary>
    NeedsVersionSeed,

    /// <summary>The seeder could not fill a table.</summary>
    SeedIncomplete,

    /// <summary>A stored function cannot run at this version (refers to something missing, or a read method writes).</summary>
    FunctionBroken,

    /// <summary>Grants at the latest version differ from access.yml.</summary>
    GrantDrift,

    /// <summary>Columns at the latest version differ from tables.yml.</summary>
    ColumnDrift,

    /// <summary>Objects left after downgrading the whole chain to version 0.</summary>
    ChainLeftover,

    /// <summary>The whole chain could not be upgraded from an empty database.</summary>
    ChainUpgradeFailed,

    /// <summary>The whole chain could not be downgraded from the latest version to 0.</summary>
    ChainDowngradeFailed,

    /// <summary>The whole chain could not be upgraded again after the downgrade to 0.</summary>
    ChainReupgradeFailed,

    /// <summary>An online migration or downgrade misbehaved when interrupted and resumed.</summary>
    OnlineMigration,

    /// <summary>An online migration or downgrade stops making progress while its completion check stays false.</summary>
    OnlineNeverCompletes,

    /// <summary>Verifying the version took longer than the version timeout; it was cancelled.</summary>
    VersionTimeout,

    /// <summary>The version could not be verified because an earlier step broke the chain.</summary>
    NotVerified,

    /// <summary>With <c>--cost</c>: the version holds a blocking lock longer than the budget at production size, or its online work slows as it goes.</summary>
    Cost,

    /// <summary>An entry of the accepted-findings file matched no finding.</summary>
    AcceptedUnused,
}

/// <summary>One line of a verification result: the version (null for the whole directory), the object and what is wrong.</summary>
public sealed record VerificationFinding(
    FindingSeverity Severity,
    VerificationFindingKind Kind,
    int? Version,
    string Object,
    string Message)
{
    /// <summary>How many times the same kind of finding about the same object was seen in this version.</summary>
    public int Occurrences { get; init; } = 1;

    /// <summary>The reason from the accepted-findings file, when the project accepted this finding.</summary>
    public string? AcceptedReason { get; init; }

    /// <summary>A defect nobody accepted: it fails verification.</summary>
    public bool IsDefect => Severity == FindingSeverity.Defect && AcceptedReason is null;

    /// <summary>e.g. <c>v0007 defect stray-object: + index public.widgets_name_idx (after downgrade to 6)</c>.</summary>
    public override string ToString()
    {
        var where = Version is { } v ? $"v{v:D4}" : "schema";
        var severity = AcceptedReason is not null ? "accepted" : Severity.ToString().ToLowerInvariant();
        var repeats = Occurrences > 1 ? $" (seen {Occurrences} times)" : string.Empty;
        var accepted = AcceptedReason is not null ? $" [accepted: {AcceptedReason}]" : string.Empty;
        return $"{where} {severity} {KindId(Kind)}: {Message}{repeats}{accepted}";
    }

    /// <summary><see cref="ToString"/> cut to one line of at most <paramref name="width"/> characters, for a terminal.</summary>
    public string ToLine(int width = 300)
    {
        var text = string.Join(" ", ToString().Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= width ? text : text[..(width - 2)] + " …";
    }

    /// <summary>The stable kebab-case id of a kind, as printed and in reports.</summary>
    public static string KindId(VerificationFindingKind kind)
    {
        var name = kind.ToString();
        var builder = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
