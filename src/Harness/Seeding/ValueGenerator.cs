using System.Text;
using System.Text.Json.Nodes;
using Bogus;
using NpgsqlTypes;

namespace Tcdb.Seeding;

/// <summary>How one value is written in binary COPY: a built-in type, or a data type name (enums).</summary>
internal readonly record struct WriteType(NpgsqlDbType? DbType, string? DataTypeName);

/// <summary>
/// Generates the values of one column from its own <see cref="Randomizer"/> (seeded per table and
/// column, so no global state): Bogus-style data mixed with <see cref="HostileValues"/>, nulls where
/// allowed, and values unique by construction where a key needs them.
/// </summary>
internal sealed class ValueGenerator
{
    private static readonly string[] Words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua".Split(' ');
    private static readonly DateTime Epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly SeedColumn column;
    private readonly Randomizer random;
    private readonly bool unique;
    private readonly Func<Faker, object?>? rule;
    private readonly Faker? faker;

    private ValueGenerator(SeedColumn column, int seed, bool unique, Func<Faker, object?>? rule)
    {
        this.column = column;
        this.unique = unique;
        this.rule = rule;
        random = new Randomizer(seed);
        if (rule is not null)
        {
            faker = new Faker { Random = new Randomizer(seed) };
        }

        WriteType = WriteTypeOf(column);
    }

    public WriteType WriteType { get; }

    /// <summary>A generator, or null with the reason when the column's type is not supported.</summary>
    public static ValueGenerator? Create(SeedColumn column, int seed, bool unique, Func<Faker, object?>? rule, out string? unsupported)
    {
        unsupported = null;
        if (rule is null && !IsSupported(column.IsEnum ? "enum" : column.BaseType, column.ElementType, column.ElementIsEnum))
        {
            unsupported = $"column {column.Name} has unsupported type {column.ColumnTypeSql}";
            return null;
        }

        return new ValueGenerator(column, seed, unique, rule);
    }

    public object? Next(int row)
    {
        if (rule is not null)
        {
            // The row number, the same for every column of the row: rules can make columns agree.
            faker!.IndexFaker = row;
            return rule(faker);
        }

        if (!column.NotNull && !unique && row >= HostileValues.Text.Count && random.Number(9) == 0)
        {
            return null;
        }

        if (column.ElementType is not null)
        {
            var length = random.Number(0, 3);
            var values = new object?[length];
            for (var i = 0; i < length; i++)
            {
                values[i] = Scalar(column.ElementIsEnum ? "enum" : column.ElementType, -1, row * 4 + i, false);
            }

            return ToTypedArray(values, ClrType(column.ElementIsEnum ? "enum" : column.ElementType));
        }

        return Scalar(column.IsEnum ? "enum" : column.BaseType, column.TypeModifier, row, unique);
    }

    private static bool IsSupported(string type, string? element, bool elementIsEnum) => element is not null
        ? IsSupported(elementIsEnum ? "enum" : element, null, false)
        : type is "bool" or "int2" or "int4" or "int8" or "numeric" or "float4" or "float8" or "text" or "varchar" or "bpchar" or "name"
            or "citext" or "uuid" or "bytea" or "json" or "jsonb" or "timestamptz" or "timestamp" or "date" or "time" or "interval" or "enum";

    private static WriteType WriteTypeOf(SeedColumn column)
    {
        if (column.IsEnum)
        {
            return new WriteType(null, $"{column.BaseTypeSchema}.{column.BaseType}");
        }

        if (column.ElementType is not null)
        {
            return column.ElementIsEnum
                ? new WriteType(null, $"{column.ElementTypeSchema}.{column.ElementType}[]")
                : new WriteType(NpgsqlDbType.Array | ScalarType(column.ElementType), null);
        }

        return new WriteType(ScalarType(column.BaseType), null);
    }

    private static NpgsqlDbType ScalarType(string type) => type switch
    {
        "bool" => NpgsqlDbType.Boolean,
        "int2" => NpgsqlDbType.Smallint,
        "int4" => NpgsqlDbType.Integer,
        "int8" => NpgsqlDbType.Bigint,
        "numeric" => NpgsqlDbType.Numeric,
        "float4" => NpgsqlDbType.Real,
        "float8" => NpgsqlDbType.Double,
        "varchar" => NpgsqlDbType.Varchar,
        "bpchar" => NpgsqlDbType.Char,
        "name" => NpgsqlDbType.Name,
        "uuid" => NpgsqlDbType.Uuid,
        "bytea" => NpgsqlDbType.Bytea,
        "json" => NpgsqlDbType.Json,
        "jsonb" => NpgsqlDbType.Jsonb,
        "timestamptz" => NpgsqlDbType.TimestampTz,
        "timestamp" => NpgsqlDbType.Timestamp,
        "date" => NpgsqlDbType.Date,
        "time" => NpgsqlDbType.Time,
        "interval" => NpgsqlDbType.Interval,
        _ => NpgsqlDbType.Text,
    };

    private object Scalar(string type, int typmod, int row, bool distinct) => type switch
    {
        "bool" => random.Bool(),
        "int2" => (short)(distinct ? 1 + row : random.Number(-32768, 32767)),
        "int4" => distinct ? 1 + row : random.Number(int.MinValue, int.MaxValue),
        "int8" => distinct ? 1L + row : random.Long(long.MinValue, long.MaxValue),
        "numeric" => Numeric(typmod, row, distinct),
        "float4" => (float)random.Double(-1e6, 1e6),
        "float8" => random.Double(-1e12, 1e12),
        "text" or "varchar" or "bpchar" or "name" or "citext" => Text(typmod, row, distinct),
        "uuid" => random.Guid(),
        "bytea" => Bytes(row, distinct),
        "json" or "jsonb" => Json(row),
        "timestamptz" => Epoch.AddTicks(Micros(distinct ? row * 1_000_003L : random.Long(0, 30L * 365 * 86_400_000_000L))),
        "timestamp" => DateTime.SpecifyKind(Epoch.AddTicks(Micros(distinct ? row * 1_000_003L : random.Long(0, 30L * 365 * 86_400_000_000L))), DateTimeKind.Unspecified),
        "date" => DateOnly.FromDateTime(Epoch).AddDays(distinct ? row : random.Number(-20_000, 20_000)),
        "time" => new TimeOnly(Micros(random.Long(0, 86_399_999_999L))),
        "interval" => TimeSpan.FromTicks(Micros(random.Long(0, 400L * 86_400_000_000L))),
        "enum" => column.Labels.Count == 0 ? string.Empty : column.Labels[random.Number(column.Labels.Count - 1)],
        _ => throw new InvalidOperationException($"unsupported type {type}"),
    };

    private static long Micros(long micros) => micros * 10;

    private decimal Numeric(int typmod, int row, bool distinct)
    {
        var (precision, scale) = typmod >= 4 ? (((typmod - 4) >> 16) & 0xffff, (typmod - 4) & 0xffff) : (18, 4);
        var integerDigits = Math.Min(precision - scale, 12);
        var limit = integerDigits <= 0 ? 0m : (decimal)Math.Pow(10, integerDigits) - 1;
        var fraction = Math.Round((decimal)random.Double(), Math.Min(scale, 6));
        if (distinct)
        {
            return row + fraction;
        }

        var whole = limit == 0 ? 0 : random.Long(-(long)limit, (long)limit);
        var value = whole + fraction;
        return Math.Abs(value) > limit + 0.999999m ? whole : value;
    }

    private string Text(int typmod, int row, bool distinct)
    {
        string value;
        if (row < HostileValues.Text.Count)
        {
            value = HostileValues.Text[row];
        }
        else if (random.Number(6) == 0)
        {
            value = HostileValues.Text[random.Number(HostileValues.Text.Count - 2)];
        }
        else
        {
            var builder = new StringBuilder();
            var count = random.Number(1, 6);
            for (var i = 0; i < count; i++)
            {
                builder.Append(i == 0 ? string.Empty : " ").Append(Words[random.Number(Words.Length - 1)]);
            }

            value = builder.ToString();
        }

        if (distinct)
        {
            value = $"{row:x}:{value}";
        }

        var limit = typmod >= 4 ? typmod - 4 : int.MaxValue;
        return TruncateToCodePoints(value, limit);
    }

    private static string TruncateToCodePoints(string value, int limit)
    {
        if (value.Length <= limit)
        {
            return value;
        }

        var builder = new StringBuilder();
        var count = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (count++ == limit)
            {
                break;
            }

            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    private byte[] Bytes(int row, bool distinct)
    {
        var bytes = new byte[random.Number(0, 24) + (distinct ? 4 : 0)];
        random.Bytes(bytes.Length).CopyTo(bytes, 0);
        if (bytes.Length > 2)
        {
            bytes[0] = 0x5c; // a backslash byte
            bytes[1] = 0x00;
        }

        if (distinct)
        {
            BitConverter.GetBytes(row).CopyTo(bytes, bytes.Length - 4);
        }

        return bytes;
    }

    private string Json(int row)
    {
        if (row % 10 == 0)
        {
            JsonNode deep = new JsonObject { ["leaf"] = HostileValues.Text[random.Number(HostileValues.Text.Count - 2)] };
            for (var depth = 0; depth < 60; depth++)
            {
                deep = depth % 2 == 0 ? new JsonObject { ["level"] = depth, ["next"] = deep } : new JsonArray(deep, depth);
            }

            // Taskcluster keeps objects at the top of a jsonb document.
            return (deep is JsonObject ? deep : new JsonObject { ["deep"] = deep }).ToJsonString();
        }

        var value = new JsonObject
        {
            ["text"] = HostileValues.Text[random.Number(HostileValues.Text.Count - 2)],
            ["number"] = random.Number(-1000, 1000),
            ["flag"] = random.Bool(),
            ["list"] = new JsonArray(random.Word(), random.Number(100), null),
            ["nested"] = new JsonObject { ["key"] = random.AlphaNumeric(8) },
        };
        return value.ToJsonString();
    }

    private static Type ClrType(string type) => type switch
    {
        "bool" => typeof(bool),
        "int2" => typeof(short),
        "int4" => typeof(int),
        "int8" => typeof(long),
        "numeric" => typeof(decimal),
        "float4" => typeof(float),
        "float8" => typeof(double),
        "uuid" => typeof(Guid),
        "bytea" => typeof(byte[]),
        "timestamptz" or "timestamp" => typeof(DateTime),
        "date" => typeof(DateOnly),
        "time" => typeof(TimeOnly),
        "interval" => typeof(TimeSpan),
        _ => typeof(string),
    };

    private static Array ToTypedArray(object?[] values, Type elementType)
    {
        var array = Array.CreateInstance(elementType, values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            array.SetValue(values[i], i);
        }

        return array;
    }
}
