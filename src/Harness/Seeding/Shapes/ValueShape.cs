namespace Tcdb.Seeding.Shapes;

/// <summary>What SQL expects of a value: its kind, and for objects and arrays what they hold.</summary>
public enum ShapeKind
{
    /// <summary>Nothing known beyond "present".</summary>
    Any,
    Text,
    Integer,
    Number,
    Boolean,
    Timestamp,
    Uuid,

    /// <summary>A Taskcluster slugid: 22 characters of url-safe base64 encoding a uuid.</summary>
    Slugid,

    /// <summary>One of the labels of an enum type.</summary>
    Enum,
    Object,
    Array,

    /// <summary>One fixed text that SQL insists on (<c>'provisioner' is distinct from row_key</c>); <see cref="ValueShape.TypeName"/> holds it.</summary>
    Constant,

    /// <summary>Text made of parts joined by a separator (<c>split_part</c>), each part with its own shape.</summary>
    Parts,
}

/// <summary>
/// The shape of a value as SQL reads it, merged from every place that reads it: a jsonb document with the
/// keys it must have, text that is split into parts, a key that is cast to a type. Mutable while the
/// inference collects, read-only afterwards.
/// </summary>
public sealed class ValueShape
{
    public ShapeKind Kind { get; private set; } = ShapeKind.Any;

    /// <summary>Keys of an object, in the order first seen.</summary>
    public Dictionary<string, ValueShape> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys stored with Taskcluster's entity buffer encoding (<c>__buf0_name</c>, <c>__bufchunks_name</c>), with the shape of the decoded text.</summary>
    public Dictionary<string, ValueShape> Buffers { get; } = new(StringComparer.Ordinal);

    /// <summary>The shape of an array's elements.</summary>
    public ValueShape? Element { get; private set; }

    /// <summary>The labels of an enum.</summary>
    public IReadOnlyList<string> Labels { get; private set; } = [];

    /// <summary>The enum type's name, or the cast the inference could not resolve to a kind.</summary>
    public string? TypeName { get; private set; }

    /// <summary>For <see cref="ShapeKind.Parts"/>: the separator and the parts by 1-based position.</summary>
    public string? Separator { get; private set; }

    public SortedDictionary<int, ValueShape> Parts { get; } = [];

    /// <summary>A text prefix some SQL matches with <c>like 'prefix%'</c>.</summary>
    public string? Prefix { get; private set; }

    /// <summary>
    /// The only keys an object may have, when SQL compares the whole document with one it builds
    /// (<c>value is distinct from jsonb_build_object('k', ...)</c>); null when other keys are harmless.
    /// </summary>
    public HashSet<string>? ExactKeys { get; private set; }

    /// <summary>A key that must equal another column of the same row (or one part of it, split by <see cref="Separator"/>).</summary>
    public string? EqualsColumn { get; private set; }

    public int? EqualsPart { get; private set; }

    /// <summary>The key is compared as text inside a document: its JSON value must be a string, even if it is cast to a number elsewhere.</summary>
    public bool JsonString { get; private set; }

    public void RequireExactKeys(IEnumerable<string> keys) => (ExactKeys ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(keys);

    public void RequireEquals(string column, int? part)
    {
        EqualsColumn ??= column;
        EqualsPart ??= part;
    }

    public void RequireJsonString() => JsonString = true;

    /// <summary>The value becomes (part of) a primary key somewhere: no two rows may share it.</summary>
    public bool Unique { get; private set; }

    public bool IsEmpty => Kind == ShapeKind.Any && Prefix is null && !Unique;

    public void RequireUnique() => Unique = true;

    /// <summary>Narrows the kind: a specific kind wins over text and "any"; an array wins over an object.</summary>
    public void Require(ShapeKind kind, string? typeName = null, IReadOnlyList<string>? labels = null)
    {
        if (Rank(kind) > Rank(Kind))
        {
            Kind = kind;
            TypeName = typeName ?? TypeName;
            Labels = labels ?? Labels;
        }
    }

    public ValueShape Key(string name)
    {
        Require(ShapeKind.Object);
        if (!Keys.TryGetValue(name, out var child))
        {
            Keys[name] = child = new ValueShape();
        }

        return child;
    }

    public ValueShape Buffer(string name)
    {
        Require(ShapeKind.Object);
        if (!Buffers.TryGetValue(name, out var child))
        {
            Buffers[name] = child = new ValueShape();
        }

        return child;
    }

    public ValueShape Elements()
    {
        Require(ShapeKind.Array);
        return Element ??= new ValueShape();
    }

    public ValueShape Part(string separator, int position)
    {
        if (Kind is ShapeKind.Any or ShapeKind.Text)
        {
            Kind = ShapeKind.Parts;
        }

        Separator ??= separator;
        if (!Parts.TryGetValue(position, out var part))
        {
            Parts[position] = part = new ValueShape();
        }

        return part;
    }

    public void RequirePrefix(string prefix) => Prefix ??= prefix;

    /// <summary>Copies what <paramref name="other"/> requires into this shape.</summary>
    public void MergeFrom(ValueShape other)
    {
        if (other.Kind == ShapeKind.Parts)
        {
            foreach (var (position, part) in other.Parts)
            {
                Part(other.Separator!, position).MergeFrom(part);
            }
        }
        else
        {
            Require(other.Kind, other.TypeName, other.Labels);
        }

        foreach (var (key, child) in other.Keys)
        {
            Key(key).MergeFrom(child);
        }

        foreach (var (key, child) in other.Buffers)
        {
            Buffer(key).MergeFrom(child);
        }

        if (other.Element is not null)
        {
            Elements().MergeFrom(other.Element);
        }

        if (other.Prefix is not null)
        {
            RequirePrefix(other.Prefix);
        }

        Unique |= other.Unique;
        JsonString |= other.JsonString;
        if (other.ExactKeys is not null)
        {
            RequireExactKeys(other.ExactKeys);
        }

        if (other.EqualsColumn is not null)
        {
            RequireEquals(other.EqualsColumn, other.EqualsPart);
        }
    }

    public override string ToString() => Kind switch
    {
        ShapeKind.Object => "{" + string.Join(", ", Keys.Select(k => $"{k.Key}: {k.Value}").Concat(Buffers.Select(b => $"buffer {b.Key}: {b.Value}"))) + "}",
        ShapeKind.Array => $"[{Element}]",
        ShapeKind.Enum => $"enum {TypeName}",
        ShapeKind.Constant => $"'{TypeName}'",
        ShapeKind.Parts => string.Join(Separator, Enumerable.Range(1, Parts.Keys.DefaultIfEmpty(1).Max()).Select(i => Parts.TryGetValue(i, out var p) ? p.ToString() : "text")),
        _ => (Prefix is null ? string.Empty : $"'{Prefix}%' ") + Kind.ToString().ToLowerInvariant(),
    };

    // Parts is a way to narrow text, so it ranks with the scalar kinds.
    private static int Rank(ShapeKind kind) => kind switch
    {
        ShapeKind.Any => 0,
        ShapeKind.Text => 1,
        ShapeKind.Object => 3,
        ShapeKind.Array => 4,
        ShapeKind.Constant => 5,
        _ => 2,
    };
}
