using NUnit.Framework;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 5: the secrets service's entities table (phase 1). Checks it appears for the secrets role only at
/// version 5 and that its five methods keep their contract with a realistic encrypted secret whose name
/// carries a backslash and unicode.
/// </summary>
public sealed class V0005Test : VersionTest
{
    protected override Task AssertBeforeUpgradeAsync(VersionContext db) => EntityTables.AssertAbsentAsync(db, "secrets_entities");

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await EntityTables.AssertPresentAsync(db, "secrets", "secrets_entities");
        var f = Realistic.Faker(5);
        var secret = Realistic.Secret(f, 5, Times.Now());
        Assert.That(secret.Name, Does.Contain("\\"), "the secret name exercises backslashes");
        var renewed = secret with { Secret = Json.Text(Realistic.EncryptedContainer(f)), Expires = secret.Expires.AddDays(365) };
        await EntityTables.VerifyAsync(db, "secrets", "secrets_entities", secret.Name, "secret", secret.EntityProperties(), renewed.EntityProperties());
    }
}
