using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tcdb.Snapshots;

/// <summary>
/// The rows of one table in a <see cref="DataSnapshot"/>: per row key (the primary key's text, or the
/// row's own hash where the table has none) a 128-bit hash of the row, plus the row's values encoded
/// in one shared buffer so that only rows that differ are ever decoded. No row becomes an object.
/// </summary>
public sealed class TableData
{
    private readonly Dictionary<string, RowRef> rows = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> buffer = new();
    private string? digest;

    internal TableData(string name, IReadOnlyList<string> columns, IReadOnlyList<string> keyColumns)
    {
        Name = name;
        Columns = columns;
        KeyColumns = keyColumns;
    }

    /// <summary>Qualified table name, e.g. <c>public.widgets</c>.</summary>
    public string Name { get; }

    /// <summary>Column names in ordinal order (the order rows are encoded and hashed in, independent of attnum).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Primary-key columns; empty when rows are keyed by their whole content.</summary>
    public IReadOnlyList<string> KeyColumns { get; }

    public int RowCount => rows.Count;

    /// <summary>A hash over every (key, row hash) pair in key order: equal digests, equal rows.</summary>
    public string Digest => digest ??= ComputeDigest();

    internal IReadOnlyDictionary<string, RowRef> Rows => rows;

    private string ComputeDigest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> bytes = stackalloc byte[16];
        foreach (var key in rows.Keys.Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(key));
            BinaryPrimitives.WriteUInt128LittleEndian(bytes, rows[key].Hash);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal void Add(string? key, ReadOnlySpan<string?> values)
    {
        digest = null;
        var start = buffer.WrittenCount;
        foreach (var value in values)
        {
            var length = value is null ? -1 : Encoding.UTF8.GetByteCount(value);
            BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), length);
            buffer.Advance(4);
            if (value is not null)
            {
                buffer.Advance(Encoding.UTF8.GetBytes(value, buffer.GetSpan(length)));
            }
        }

        var record = buffer.WrittenSpan[start..];
        var hash = HashOf(record);
        var reference = new RowRef(hash, start, record.Length);
        if (key is not null)
        {
            rows[key] = reference;
            return;
        }

        for (var occurrence = 0; ; occurrence++)
        {
            if (rows.TryAdd($"#{hash:x32}.{occurrence}", reference))
            {
                return;
            }
        }
    }

    /// <summary>Decodes one stored row into column name -> value.</summary>
    internal Dictionary<string, string?> Decode(RowRef row)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var span = buffer.WrittenSpan.Slice(row.Offset, row.Length);
        foreach (var column in Columns)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(span);
            span = span[4..];
            if (length < 0)
            {
                values[column] = null;
                continue;
            }

            values[column] = Encoding.UTF8.GetString(span[..length]);
            span = span[length..];
        }

        return values;
    }

    internal static UInt128 HashOf(ReadOnlySpan<byte> record)
    {
        // A fingerprint of the row's bytes, compared only with other rows': 128 bits of SHA-256 make an
        // accidental collision as unlikely as a full digest would.
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(record, digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    internal readonly record struct RowRef(UInt128 Hash, int Offset, int Length);
}
