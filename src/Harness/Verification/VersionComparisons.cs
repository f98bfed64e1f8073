using Tcdb.Schema;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>The catalog and row comparisons of a version's shape and its interruption scenarios; each difference is a finding.</summary>
internal sealed class VersionComparisons(int version, RolePrefix rolePrefix, VersionHooks hooks, FindingSink findings)
{
    /// <summary>
    /// After the downgrade (<paramref name="reupgrade"/> false) a difference is a stray, missing or changed
    /// object; at N again it is reupgrade-differs. What the migrator itself leaves at version 0 is expected.
    /// </summary>
    public void Catalogs(CatalogSnapshot expected, CatalogSnapshot actual, string when, bool reupgrade)
    {
        foreach (var difference in CatalogDiff.Compare(expected, actual))
        {
            if (!difference.IsDifference)
            {
                findings.Note($"{difference} ({when})");
                continue;
            }

            if (version == 1 && !reupgrade && MigratorFootprint.Explains(difference, rolePrefix))
            {
                continue;
            }

            var kind = reupgrade ? VerificationFindingKind.ReupgradeDiffers : difference.Kind switch
            {
                DifferenceKind.Added => VerificationFindingKind.StrayObject,
                DifferenceKind.Removed => VerificationFindingKind.MissingObject,
                _ => VerificationFindingKind.ChangedObject,
            };
            findings.Defect(kind, $"{CatalogObject.Describe(difference.ObjectKind)} {difference.QualifiedName}", $"{difference} ({when})");
        }
    }

    /// <summary>Rows that must equal <paramref name="expected"/> (apart from generated and regenerated values).</summary>
    public void Rows(DataSnapshot expected, DataSnapshot actual, GeneratedValues generated, string when)
    {
        foreach (var verdict in DataVerdicts.Survival(expected, actual, generated, hooks.RegeneratedColumnsByTable()))
        {
            findings.Defect(VerificationFindingKind.DataChanged, $"table {verdict.Table}", verdict.Describe($"{when}: "));
        }
    }
}
