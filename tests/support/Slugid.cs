using System.Security.Cryptography;
using Bogus;

namespace Tcdb.Tests.Support;

/// <summary>
/// A Taskcluster id: 16 bytes (a v4 uuid) written as a 22-character URL-safe base64 slug. The entities stored task
/// and task group ids as the uuid text, the relational tables as the slug.
/// </summary>
public readonly record struct Slugid(string Slug)
{
    /// <summary>The uuid the slug encodes, in PostgreSQL's text form (what <c>slugid_to_uuid</c> gives).</summary>
    public string Uuid => ToUuid(Slug);

    /// <summary>A random "nice" slugid (it never starts with '-').</summary>
    public static Slugid Random() => Nice(RandomNumberGenerator.GetBytes(16));

    /// <summary>A "nice" slugid from the faker's randomizer, so a seeded faker gives the same ids every run.</summary>
    public static Slugid Next(Faker faker) => Nice(faker.Random.Bytes(16));

    /// <summary>
    /// The same slugid for the same <paramref name="n"/>, whose first character is the n-th capital letter
    /// (n &lt; 26), so ids made this way sort by n in any collation.
    /// </summary>
    public static Slugid Ordered(int n)
    {
        var bytes = Enumerable.Repeat((byte)(n * 37 + 11), 16).ToArray();
        bytes[0] = (byte)((n % 26) << 2);
        return new Slugid(Encode(bytes));
    }

    /// <summary>The uuid text a slug encodes.</summary>
    public static string ToUuid(string slug)
    {
        var hex = Convert.ToHexStringLower(Convert.FromBase64String(slug.Replace('-', '+').Replace('_', '/') + "=="));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    public override string ToString() => Slug;

    private static Slugid Nice(byte[] bytes)
    {
        bytes[0] &= 0x7f;
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Slugid(Encode(bytes));
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
