using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 6: secrets move from <c>secrets_entities</c> to the relational <c>secrets</c> table (phase 2);
/// the entity methods become compatibility views over it and get_secret(s), upsert, delete and expire are
/// added. Seeds realistic encrypted secrets through the entity method at version 5 and checks every value,
/// expiry and etag moved into the columns, reads the same through old and new methods, and comes back
/// into the entities table unchanged on downgrade.
/// </summary>
public sealed class V0006Test : VersionTest
{
    private const int Count = 40;
    private const string Table = "secrets_entities";
    private readonly List<(SecretSeed Secret, Guid Etag)> seeded = [];
    private readonly DateTime now = Times.Now();
    private List<SeededEntity> entities = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) => PhaseTwo.SeedNoGenericRows(rules, Table);

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(6);
        var secrets = Enumerable.Range(0, Count).Select(i => Realistic.Secret(f, i, now)).ToList();
        entities = await PhaseTwo.CreateAsync(db, "secrets", Table, secrets.Select(s => (s.Name, "secret", s.EntityProperties())));
        seeded.AddRange(secrets.Zip(entities, (secret, entity) => (secret, entity.Etag)));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("secrets"), Is.False, "no secrets table at version 5");
        Assert.That(await db.ValueAsync<long>("select count(*) from secrets_entities"), Is.EqualTo(Count));
        await PhaseTwo.AssertLoadAsync(db, "secrets", Table, entities, "at version 5");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("secrets_entities"), Is.False, "secrets_entities is dropped");
        var rows = (await db.RowsAsync("select name, encrypted_secret, expires, etag from secrets")).ToDictionary(r => (string)r["name"]!);
        Assert.That(rows.Keys, Is.EquivalentTo(seeded.Select(s => s.Secret.Name)));
        foreach (var (secret, etag) in seeded)
        {
            var row = rows[secret.Name];
            Json.AssertSame(row["encrypted_secret"], secret.Secret, $"secrets.encrypted_secret of {secret.Name}");
            Assert.That(row["expires"], Is.EqualTo(secret.Expires), $"secrets.expires of {secret.Name}");
            Assert.That(row["etag"], Is.EqualTo(etag), $"secrets.etag of {secret.Name} keeps the entity etag");
        }

        Assert.That(await db.ValueAsync<long>("select count(*) from secrets where expires < now()"), Is.EqualTo(seeded.Count(s => s.Secret.Expires < DateTime.UtcNow)), "expired secrets");

        await using var secrets = await db.ClientAsync("secrets");
        foreach (var (secret, etag) in seeded.Where((_, i) => i % 5 == 0))
        {
            var got = (await secrets.CallAsync("get_secret", secret.Name)).Single();
            Assert.That((got["name"], got["expires"]), Is.EqualTo(((object)secret.Name, (object)secret.Expires)), "get_secret");
            Json.AssertSame(got["encrypted_secret"], secret.Secret, $"get_secret of {secret.Name}");

            var entity = (await secrets.CallAtVersionAsync(db, "secrets_entities_load", secret.Name, "secret")).Single();
            Assert.That(entity["etag"], Is.EqualTo(etag), "secrets_entities_load etag");
            Json.AssertSame(entity["value"], secret.EntityProperties(), $"secrets_entities_load of {secret.Name} rebuilds the entity");
        }

        var names = new List<string>();
        await foreach (var row in secrets.PaginateByIndexAsync("get_secrets", new Dictionary<string, object?>(), ["name"], pageSize: 7))
        {
            names.Add((string)row["name"]!);
        }

        Assert.That(names, Is.EquivalentTo(seeded.Select(s => s.Secret.Name)).And.Unique, "get_secrets pages over every secret once");
        var scanned = await secrets.CallAtVersionAsync(db, "secrets_entities_scan", null, null, null, null, 0);
        Assert.That(scanned.Select(r => r["partition_key_out"]), Is.EquivalentTo(seeded.Select(s => s.Secret.Name)), "secrets_entities_scan");

        // Writes through the new methods, on a secret of its own (removed again, so the downgrade sees the seed only).
        var extra = Realistic.Secret(Realistic.Faker(66), 1000, now);
        await secrets.CallAsync("upsert_secret", extra.Name, extra.Secret, extra.Expires);
        await secrets.CallAsync("upsert_secret", extra.Name, seeded[0].Secret.Secret, extra.Expires.AddDays(1));
        var upserted = (await secrets.CallAsync("get_secret", extra.Name)).Single();
        Json.AssertSame(upserted["encrypted_secret"], seeded[0].Secret.Secret, "upsert_secret replaces the value");
        Assert.That(upserted["expires"], Is.EqualTo(extra.Expires.AddDays(1)), "upsert_secret replaces the expiry");
        var wrongKey = Assert.ThrowsAsync<DbFunctionException>(() => secrets.CallAtVersionAsync(db, "secrets_entities_create", extra.Name, "not-secret", extra.EntityProperties(), true, 1));
        Assert.That(wrongKey!.SqlState, Is.EqualTo("22023"));
        await secrets.CallAsync("delete_secret", extra.Name);
        Assert.That(await secrets.CallAsync("get_secret", extra.Name), Is.Empty, "delete_secret");
    }
}
