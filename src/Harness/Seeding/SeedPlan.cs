namespace Tcdb.Seeding;

/// <summary>
/// The order tables are filled in: parents before children. A self-reference or a cycle through a
/// foreign key whose columns are all nullable is broken by inserting nulls and linking the rows
/// afterwards (<see cref="Deferred"/>); a cycle without one cannot be filled and is reported.
/// </summary>
internal sealed class SeedPlan
{
    private SeedPlan(List<SeedTable> order, List<(SeedTable, SeedConstraint)> deferred, List<(SeedTable, string)> unfillable)
    {
        Order = order;
        Deferred = deferred;
        Unfillable = unfillable;
    }

    public IReadOnlyList<SeedTable> Order { get; }

    public IReadOnlyList<(SeedTable Table, SeedConstraint ForeignKey)> Deferred { get; }

    public IReadOnlyList<(SeedTable Table, string Reason)> Unfillable { get; }

    public bool IsDeferred(SeedTable table, SeedConstraint foreignKey) => Deferred.Any(d => d.Table == table && d.ForeignKey == foreignKey);

    public static SeedPlan Create(IReadOnlyList<SeedTable> tables)
    {
        var byOid = tables.ToDictionary(t => t.Oid);
        var deferred = new List<(SeedTable, SeedConstraint)>();
        foreach (var table in tables)
        {
            foreach (var foreignKey in table.ForeignKeys.Where(f => f.ReferencedTable == table.Oid && AllNullable(table, f)))
            {
                deferred.Add((table, foreignKey));
            }
        }

        var edges = tables.SelectMany(t => t.ForeignKeys
                .Where(f => f.ReferencedTable != t.Oid && byOid.ContainsKey(f.ReferencedTable))
                .Select(f => (Child: t, ForeignKey: f)))
            .ToList();
        var order = new List<SeedTable>();
        var remaining = tables.ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.Where(t => !edges.Any(e => e.Child == t && !deferred.Contains((t, e.ForeignKey)) && remaining.Contains(byOid[e.ForeignKey.ReferencedTable])))
                .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
            if (ready.Count > 0)
            {
                order.AddRange(ready);
                remaining.RemoveAll(ready.Contains);
                continue;
            }

            var breakable = edges.Where(e => remaining.Contains(e.Child) && remaining.Contains(byOid[e.ForeignKey.ReferencedTable])
                                             && !deferred.Contains((e.Child, e.ForeignKey)) && AllNullable(e.Child, e.ForeignKey))
                .OrderBy(e => e.Child.Name, StringComparer.Ordinal).ThenBy(e => e.ForeignKey.Name, StringComparer.Ordinal).FirstOrDefault();
            if (breakable.Child is null)
            {
                var names = string.Join(", ", remaining.Select(t => t.Name));
                return new SeedPlan(order, deferred,
                    remaining.Select(t => (t, $"foreign-key cycle among {names} has no foreign key with only nullable columns")).ToList());
            }

            deferred.Add((breakable.Child, breakable.ForeignKey));
        }

        return new SeedPlan(order, deferred, []);
    }

    private static bool AllNullable(SeedTable table, SeedConstraint foreignKey) =>
        foreignKey.Columns.All(c => !table.Column(c).NotNull);
}
