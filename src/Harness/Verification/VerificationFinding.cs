namespace Tcdb.Verification;

/// <summary>Whether a finding fails verification.</summary>
public enum FindingSeverity
{
    /// <summary>Something is wrong with the directory: verification fails (exit 1).</summary>
    Defect,

    /// <summary>Worth reading, never fatal.</summary>
    Warning,
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

    /// <summary>The downgrade lost, added or altered rows.</summary>
    DataChanged,

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

    /// <summary>An online migration or downgrade misbehaved when interrupted and resumed.</summary>
    OnlineMigration,

    /// <summary>A version test's own assertion failed.</summary>
    AssertionFailed,

    /// <summary>The version could not be verified because an earlier step broke the chain.</summary>
    NotVerified,
}

/// <summary>One line of a verification result: the version (null for the whole directory), the object and what is wrong.</summary>
public sealed record VerificationFinding(
    FindingSeverity Severity,
    VerificationFindingKind Kind,
    int? Version,
    string Object,
    string Message)
{
    public bool IsDefect => Severity == FindingSeverity.Defect;

    /// <summary>e.g. <c>v0007 defect stray-object: + index public.widgets_name_idx (after downgrade to 6)</c>.</summary>
    public override string ToString()
    {
        var where = Version is { } v ? $"v{v:D4}" : "schema";
        return $"{where} {Severity.ToString().ToLowerInvariant()} {KindId(Kind)}: {Message}";
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
