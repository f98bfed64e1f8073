namespace Tcdb.Schema;

/// <summary>
/// One <c>versions/NNNN.yml</c> file. Scripts and bodies have external SQL files already inlined.
/// <see cref="Location"/> is the version file; the script locations are the first line of each script's text.
/// Equality compares content only (numbers, texts, methods in order), never locations.
/// </summary>
public sealed record DbVersion(
    int Number,
    string? Description,
    string? MigrationScript,
    string? DowngradeScript,
    IReadOnlyList<DbMethod> Methods,
    SourceLocation? Location = null,
    SourceLocation? MigrationScriptLocation = null,
    SourceLocation? DowngradeScriptLocation = null)
{
    public bool HasScripts => !string.IsNullOrEmpty(MigrationScript);

    public DbMethod? FindMethod(string name) => Methods.FirstOrDefault(m => m.Name == name);

    /// <summary>Name of the function the migration script may create for a batched online migration.</summary>
    public string OnlineMigrationBatchFunction => $"online_migration_v{Number}_batch";
    public string OnlineMigrationIsCompleteFunction => $"online_migration_v{Number}_is_complete";
    public string OnlineDowngradeBatchFunction => $"online_downgrade_v{Number}_batch";
    public string OnlineDowngradeIsCompleteFunction => $"online_downgrade_v{Number}_is_complete";

    public bool Equals(DbVersion? other) =>
        other is not null
        && Number == other.Number
        && Description == other.Description
        && MigrationScript == other.MigrationScript
        && DowngradeScript == other.DowngradeScript
        && Methods.SequenceEqual(other.Methods);

    public override int GetHashCode() => HashCode.Combine(Number, Description, MigrationScript, DowngradeScript, Methods.Count);
}
