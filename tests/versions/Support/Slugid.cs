using Bogus;

namespace Tcdb.Versions.Tests.Support;

/// <summary>
/// A Taskcluster id: 16 random bytes (a v4 uuid) written as a 22-character URL-safe base64 slug. The
/// entities stored task and task group ids as the uuid text, the relational tables as the slug.
/// </summary>
public readonly record struct Slugid(string Slug, string Uuid)
{
    /// <summary>A "nice" slugid (first bit clear, so it never starts with '-'), from the faker's randomizer.</summary>
    public static Slugid Next(Faker faker)
    {
        var bytes = faker.Random.Bytes(16);
        bytes[0] &= 0x7f;
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        var slug = Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var hex = Convert.ToHexStringLower(bytes);
        return new Slugid(slug, $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}");
    }

    public override string ToString() => Slug;
}
