using Tcdb.Schema;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// What the migrator itself adds to a database on its first upgrade and never removes: the tcversion table
/// (with its key and grants), the service roles, and their USAGE on schema public. Compared with a database
/// that was never upgraded (version 0), these are expected, not stray.
/// </summary>
internal static class MigratorFootprint
{
    public static bool Explains(CatalogDifference difference, RolePrefix prefix) =>
        difference.Kind == DifferenceKind.Added &&
        (difference.Origin == ObjectOrigin.Harness ||
         difference.ObjectKind == CatalogObjectKind.Role ||
         (difference.ObjectKind == CatalogObjectKind.Grant &&
          difference.QualifiedName.StartsWith("USAGE on schema public to " + prefix.RoleNameStart, StringComparison.Ordinal)));
}
