using System.Text.RegularExpressions;
using Tcdb.Schema;

namespace Tcdb.Snapshots;

/// <summary>What a <see cref="CatalogSnapshot"/> covers and which objects count as the harness's own.</summary>
public sealed record CatalogSnapshotOptions
{
    private readonly IReadOnlyList<string> schemas = ["public"];

    /// <summary>
    /// Schemas whose objects are recorded (default <c>public</c>). Only schemas of user-made objects: a system schema
    /// (<c>information_schema</c>, or a name starting with <c>pg_</c>, a prefix PostgreSQL keeps for itself) holds
    /// objects made by <c>initdb</c>, which the snapshot's reading of user-made objects does not cover.
    /// </summary>
    public IReadOnlyList<string> Schemas
    {
        get => schemas;
        init => schemas = value.FirstOrDefault(IsSystemSchema) is { } system
            ? throw new ArgumentException($"schema {system} is a system schema: a catalog snapshot records only schemas of user-made objects", nameof(Schemas))
            : value;
    }

    /// <summary>
    /// The role prefix of "our" roles, the service roles: role attributes are recorded only for them, and
    /// grants only to them (and to PUBLIC). Null records no role attributes and grants to every grantee.
    /// </summary>
    public RolePrefix? RolePrefix { get; init; }

    /// <summary>The kinds of object recorded (default null: every kind); the catalog queries of other kinds are not run.</summary>
    public IReadOnlySet<CatalogObjectKind>? Kinds { get; init; }

    /// <summary>Whether privileges granted to PUBLIC are recorded (default true).</summary>
    public bool IncludePublicGrants { get; init; } = true;

    /// <summary>Tables the harness owns (unqualified, in any recorded schema); default <c>tcversion</c>.</summary>
    public IReadOnlyList<string> HarnessTables { get; init; } = ["tcversion"];

    /// <summary>Extensions the harness creates; default <c>pgcrypto</c>. Their members are marked as extension-owned either way.</summary>
    public IReadOnlyList<string> HarnessExtensions { get; init; } = ["pgcrypto"];

    /// <summary>
    /// Objects of earlier snapshots to reuse where the server's fingerprint of an object matches (see
    /// <see cref="CatalogSnapshotCache"/>); null reads every definition.
    /// </summary>
    public CatalogSnapshotCache? Reuse { get; init; }

    /// <summary>Function names the harness owns: the online-migration batch and completion functions.</summary>
    public Regex HarnessFunctions { get; init; } = new(@"^online_(migration|downgrade)_v\d+_(batch|is_complete)$", RegexOptions.CultureInvariant);

    private static bool IsSystemSchema(string schema) =>
        schema == "information_schema" || schema.StartsWith("pg_", StringComparison.Ordinal);
}
