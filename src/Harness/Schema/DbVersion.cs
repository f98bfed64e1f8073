namespace Tcdb.Schema;

/// <summary>One <c>versions/NNNN.yml</c> file. Scripts and bodies have external SQL files already inlined.</summary>
public sealed record DbVersion(
    int Number,
    string? Description,
    string? MigrationScript,
    string? DowngradeScript,
    IReadOnlyList<DbMethod> Methods,
    SourceLocation? Location = null)
{
    public bool HasScripts => !string.IsNullOrEmpty(MigrationScript);

    public DbMethod? FindMethod(string name) => Methods.FirstOrDefault(m => m.Name == name);

    /// <summary>Name of the function the migration script may create for a batched online migration.</summary>
    public string OnlineMigrationBatchFunction => $"online_migration_v{Number}_batch";
    public string OnlineMigrationIsCompleteFunction => $"online_migration_v{Number}_is_complete";
    public string OnlineDowngradeBatchFunction => $"online_downgrade_v{Number}_batch";
    public string OnlineDowngradeIsCompleteFunction => $"online_downgrade_v{Number}_is_complete";
}
