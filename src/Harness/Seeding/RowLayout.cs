using System.Globalization;
using Bogus;
using Npgsql;
using NpgsqlTypes;

namespace Tcdb.Seeding;

/// <summary>One column the seeder writes and where its value comes from.</summary>
internal sealed record LayoutColumn(SeedColumn Column, WriteType WriteType, ValueGenerator? Generator);

/// <summary>
/// The columns of one table the seeder writes and how each value of row N is made: generated,
/// null (a deferred foreign key), taken from a parent row, or copied from the row itself (a
/// mandatory self-reference).
/// </summary>
internal sealed class RowLayout
{
    private static readonly HashSet<string> UniqueCapable = new(StringComparer.Ordinal)
    {
        "int2", "int4", "int8", "numeric", "text", "varchar", "bpchar", "name", "citext", "uuid", "bytea", "timestamptz", "timestamp", "date",
    };

    private readonly List<ForeignKeyPicker> pickers = [];
    private readonly List<(int Target, int Source)> ownRow = [];

    private RowLayout(List<LayoutColumn> columns) => Columns = columns;

    public List<LayoutColumn> Columns { get; }

    /// <summary>Why the table cannot be filled at all, or null.</summary>
    public string? Problem { get; private set; }

    public static async Task<RowLayout> CreateAsync(NpgsqlConnection connection, SeedTable table, SeedPlan plan, TableSeedRule? rule, int seed, CancellationToken cancellationToken)
    {
        var rules = rule?.Columns ?? new Dictionary<string, Func<Faker, object?>>();
        var written = table.Columns.Where(c => rules.ContainsKey(c.Name) || !c.FilledByDatabase).ToList();
        var fkColumns = new Dictionary<string, (SeedConstraint ForeignKey, int Position)>(StringComparer.Ordinal);
        foreach (var foreignKey in table.ForeignKeys)
        {
            for (var i = 0; i < foreignKey.Columns.Count; i++)
            {
                fkColumns.TryAdd(foreignKey.Columns[i], (foreignKey, i));
            }
        }

        var unique = ChooseUniqueColumns(table, written, fkColumns, rules, out var sequentialKeys);
        var columns = new List<LayoutColumn>();
        var problems = new List<string>();
        foreach (var column in written)
        {
            ValueGenerator? generator = null;
            if (rules.ContainsKey(column.Name) || !fkColumns.ContainsKey(column.Name))
            {
                generator = ValueGenerator.Create(column, Seeds.For(seed, table.Name, column.Name), unique.Contains(column.Name), rules.GetValueOrDefault(column.Name), out var unsupported);
                if (generator is null)
                {
                    if (column.NotNull && column.Default is null)
                    {
                        problems.Add(unsupported!);
                    }

                    if (column.Default is not null)
                    {
                        continue; // leave it to its default
                    }
                }
            }

            columns.Add(new LayoutColumn(column, generator?.WriteType ?? ValueGeneratorWriteType(column), generator));
        }

        var layout = new RowLayout(columns);
        foreach (var foreignKey in table.ForeignKeys.Where(f => f.Columns.All(c => columns.Any(l => l.Column.Name == c && l.Generator is null))))
        {
            if (plan.IsDeferred(table, foreignKey))
            {
                continue; // null now, linked after every table is filled
            }

            if (foreignKey.ReferencedTable == table.Oid)
            {
                var sources = foreignKey.ReferencedColumns.Select(c => columns.FindIndex(l => l.Column.Name == c)).ToList();
                if (sources.Any(s => s < 0 || columns[s].Generator is null))
                {
                    problems.Add($"mandatory self-reference {foreignKey.Name} points at columns the database fills");
                    continue;
                }

                for (var i = 0; i < sources.Count; i++)
                {
                    layout.ownRow.Add((columns.FindIndex(l => l.Column.Name == foreignKey.Columns[i]), sources[i]));
                }

                continue;
            }

            var tuples = await ReadParentKeysAsync(connection, foreignKey, cancellationToken);
            if (tuples.Count == 0)
            {
                if (foreignKey.Columns.Any(c => table.Column(c).NotNull))
                {
                    problems.Add($"referenced table {foreignKey.ReferencedTableSql} has no rows for foreign key {foreignKey.Name}");
                }

                continue;
            }

            var targets = foreignKey.Columns.Select(c => columns.FindIndex(l => l.Column.Name == c)).ToArray();
            layout.pickers.Add(new ForeignKeyPicker(targets, tuples, new Randomizer(Seeds.For(seed, table.Name, foreignKey.Name)),
                sequentialKeys.TryGetValue(foreignKey.Name, out var divisor) ? divisor : null, columns));
        }

        // Radix divisors for foreign keys enumerated together: the later ones step slower.
        var product = 1;
        foreach (var picker in layout.pickers.Where(p => p.Sequential))
        {
            picker.Divisor = product;
            product = checked(product * Math.Max(1, picker.Count));
        }

        layout.Problem = problems.Count == 0 ? null : string.Join("; ", problems);
        return layout;
    }

    public void Fill(int row, object?[] values)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            values[i] = Columns[i].Generator?.Next(row);
        }

        foreach (var picker in pickers)
        {
            picker.Fill(row, values);
        }

        foreach (var (target, source) in ownRow)
        {
            values[target] = values[source];
        }
    }

    private static WriteType ValueGeneratorWriteType(SeedColumn column) =>
        ValueGenerator.Create(column, 0, false, null, out _)?.WriteType ?? new WriteType(NpgsqlDbType.Text, null);

    private static HashSet<string> ChooseUniqueColumns(
        SeedTable table, List<SeedColumn> written, Dictionary<string, (SeedConstraint ForeignKey, int Position)> fkColumns,
        IReadOnlyDictionary<string, Func<Faker, object?>> rules, out Dictionary<string, int> sequentialKeys)
    {
        var unique = new HashSet<string>(StringComparer.Ordinal);
        sequentialKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in table.UniqueKeys)
        {
            if (key.Columns.Any(c => unique.Contains(c) || written.All(w => w.Name != c)))
            {
                continue; // already unique, or filled by a sequence
            }

            var candidate = key.Columns.Select(table.Column).FirstOrDefault(c =>
                !fkColumns.ContainsKey(c.Name) && !rules.ContainsKey(c.Name) && c.ElementType is null && !c.IsEnum && UniqueCapable.Contains(c.BaseType));
            if (candidate is not null)
            {
                unique.Add(candidate.Name);
                continue;
            }

            foreach (var column in key.Columns.Where(fkColumns.ContainsKey))
            {
                sequentialKeys.TryAdd(fkColumns[column].ForeignKey.Name, 1);
            }
        }

        return unique;
    }

    private static async Task<List<object?[]>> ReadParentKeysAsync(NpgsqlConnection connection, SeedConstraint foreignKey, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", foreignKey.ReferencedColumns.Select(Seeder.Quote));
        var sql = $"select {columns} from {foreignKey.ReferencedTableSql} where ({columns}) is not null order by {columns} limit 50000";
        var tuples = new List<object?[]>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var tuple = new object?[reader.FieldCount];
            for (var i = 0; i < tuple.Length; i++)
            {
                tuple[i] = reader.GetValue(i);
            }

            tuples.Add(tuple);
        }

        return tuples;
    }

    /// <summary>Picks a parent row per child row: at random, or enumerated where a unique key needs distinct parents.</summary>
    private sealed class ForeignKeyPicker(int[] targets, List<object?[]> tuples, Randomizer random, int? sequential, List<LayoutColumn> columns)
    {
        public bool Sequential => sequential is not null;

        public int Count => tuples.Count;

        public int Divisor { get; set; } = 1;

        public void Fill(int row, object?[] values)
        {
            var index = Sequential ? row / Divisor % tuples.Count : random.Number(tuples.Count - 1);
            var tuple = tuples[index];
            for (var i = 0; i < targets.Length; i++)
            {
                values[targets[i]] = Coerce(tuple[i], columns[targets[i]].WriteType);
            }
        }

        private static object? Coerce(object? value, WriteType type) => type.DbType switch
        {
            NpgsqlDbType.Smallint => Convert.ToInt16(value, CultureInfo.InvariantCulture),
            NpgsqlDbType.Integer => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            NpgsqlDbType.Bigint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            _ => value,
        };
    }
}
