using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 29: the five secrets entity methods are deprecated (the secrets service has used get_secret and
/// upsert_secret since version 6). No migration script. A deprecated method stops being supported only after the
/// support window <c>db/releases.txt</c> gives it; version 29 is not released yet, so the window is open and the
/// methods must keep their whole entity contract with a realistic secret, now through the deprecated entry point.
/// </summary>
public sealed class V0029Test : VersionTest
{
    private static readonly string[] Methods = ["secrets_entities_load", "secrets_entities_create", "secrets_entities_modify", "secrets_entities_remove", "secrets_entities_scan"];

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db) => await AssertContractAsync(db);

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        var deprecated = db.Schema.EffectiveMethods().Where(m => m.Deprecated).Select(m => m.Name).ToHashSet();
        Assert.That(Methods.Where(m => !deprecated.Contains(m)), Is.Empty, "every secrets entity method is deprecated at the latest version");
        await AssertContractAsync(db);
    }

    [Test]
    public void The_support_window_of_every_deprecated_method_follows_releases_txt()
    {
        var releases = Releases.Load(DbDirectories.Find());
        Assert.That(releases.All, Is.Not.Empty);
        Assert.That(releases.All.Select(r => r.DbVersion), Is.Ordered, "releases are listed oldest first");

        // get_task was deprecated in 12, first released in v1.1.0 (a minor): kept until v3.0.0, which is not out.
        Assert.That(releases.GuaranteedUntilMajor(12), Is.EqualTo(3));
        // A deprecation first released in a major (v2.0.0 shipped 19) is kept until the next major.
        Assert.That(releases.GuaranteedUntilMajor(19), Is.EqualTo(3));
        // Version 29 is unreleased: two majors after the latest release (v2.1.0).
        Assert.That(releases.GuaranteedUntilMajor(29), Is.EqualTo(4));
        Assert.That(releases.GuaranteeOpen(29) && releases.GuaranteeOpen(12), Is.True, "no deprecated method of db/ is past its window yet");
    }

    [Test]
    public void A_guarantee_closes_once_its_major_is_released()
    {
        var releases = new Releases([new Release(1, 0, 0, 4), new Release(1, 1, 0, 12), new Release(2, 0, 0, 19), new Release(3, 0, 0, 30)]);

        Assert.That(releases.GuaranteedUntilMajor(12), Is.EqualTo(3));
        Assert.That(releases.GuaranteeOpen(12), Is.False, "v3.0.0 shipped: get_task may stop working in a later version");
        Assert.That(releases.GuaranteeOpen(29), Is.True, "29 was first released in v3.0.0, a major: kept until v4.0.0");
    }

    private static async Task AssertContractAsync(VersionContext db)
    {
        var f = Realistic.Faker(29);
        var secret = Realistic.Secret(f, 5, Times.Now());
        var renewed = secret with { Expires = secret.Expires.AddDays(30) };
        // The methods are compatibility views of the secrets table now: row keys other than "secret" are refused, so no neighbours.
        await EntityTables.VerifyAsync(db, "secrets", "secrets_entities", secret.Name, "secret", secret.EntityProperties(), renewed.EntityProperties(), neighbours: false);
    }
}
