using NUnit.Framework;
using Tcdb.Seeding;
using Tcdb.Testing;
using Tcdb.Verification;
using Tcdb.Versions.Tests.Support;

namespace Tcdb.Versions.Tests;

/// <summary>
/// Version 26: web-server's OAuth2 access tokens, authorization codes, GitHub access tokens and sessions move
/// from entities to the relational <c>access_tokens</c>, <c>authorization_codes</c>, <c>github_access_tokens</c>
/// and <c>sessions</c> tables (phase 2). Seeds realistic tokens (hashed keys, encrypted containers, client details
/// with hostile descriptions, some expired) through the entity methods at version 25, checks every column, the
/// typed getters and the expiry counts after the upgrade, and that the entity views and the downgrade rebuild
/// the same entities.
/// </summary>
public sealed class V0026Test : VersionTest
{
    private static readonly string[] Tables = ["access_token_table_entities", "authorization_codes_table_entities", "github_access_token_table_entities", "session_storage_table_entities"];
    private readonly DateTime now = Times.Now();
    private readonly Dictionary<string, List<SeededEntity>> seeded = [];

    protected override void ConfigureSeedRules(IDictionary<string, TableSeedRule> rules) => PhaseTwo.SeedNoGenericRows(rules, Tables);

    protected override async Task SeedAsync(VersionContext db)
    {
        var f = Realistic.Faker(26);
        seeded[Tables[0]] = await PhaseTwo.CreateAsync(db, "web_server", Tables[0], Enumerable.Range(0, 15).Select(_ => ServiceEntities.AccessToken(f, now).Row));
        seeded[Tables[1]] = await PhaseTwo.CreateAsync(db, "web_server", Tables[1], Enumerable.Range(0, 15).Select(_ => ServiceEntities.AuthorizationCode(f, now).Row));
        seeded[Tables[2]] = await PhaseTwo.CreateAsync(db, "web_server", Tables[2], Enumerable.Range(0, 10).Select(_ => ServiceEntities.GithubAccessToken(f).Row));
        seeded[Tables[3]] = await PhaseTwo.CreateAsync(db, "web_server", Tables[3], Enumerable.Range(0, 15).Select(_ => ServiceEntities.Session(f, now).Row));
    }

    protected override async Task AssertBeforeUpgradeAsync(VersionContext db)
    {
        Assert.That(await db.TableExistsAsync("sessions"), Is.False, "no sessions table at version 25");
        await PhaseTwo.AssertLoadAsync(db, "web_server", seeded, "at version 25");
    }

    protected override async Task AssertAfterUpgradeAsync(VersionContext db)
    {
        await PhaseTwo.AssertDroppedAsync(db, Tables);

        await PhaseTwo.AssertRowsAsync(
            db, "access_tokens", seeded[Tables[0]], ("hashed_access_token", "hashedAccessToken"), ("encrypted_access_token", "accessToken"), ("client_id", "clientId"), ("redirect_uri", "redirectUri"),
            ("identity", "identity"), ("identity_provider_id", "identityProviderId"), ("expires", "expires"), ("client_details", "clientDetails"));
        await PhaseTwo.AssertRowsAsync(
            db, "authorization_codes", seeded[Tables[1]], ("code", "code"), ("client_id", "clientId"), ("redirect_uri", "redirectUri"), ("identity", "identity"),
            ("identity_provider_id", "identityProviderId"), ("expires", "expires"), ("client_details", "clientDetails"));
        await PhaseTwo.AssertRowsAsync(db, "github_access_tokens", seeded[Tables[2]], ("user_id", "userId"), ("encrypted_access_token", "accessToken"));
        await PhaseTwo.AssertRowsAsync(db, "sessions", seeded[Tables[3]], ("hashed_session_id", "hashedSessionId"), ("encrypted_session_id", "sessionId"), ("data", "data"), ("expires", "expires"));

        await using var webServer = await db.ClientAsync("web_server");
        foreach (var (token, code, session) in seeded[Tables[0]].Zip(seeded[Tables[1]], seeded[Tables[3]]).Where((_, i) => i % 4 == 0))
        {
            Assert.That((await webServer.CallAsync("get_access_token", token.PartitionKey)).Single()["client_id"], Is.EqualTo(Property(token, "clientId")), "get_access_token");
            Assert.That((await webServer.CallAsync("get_authorization_code", code.PartitionKey)).Single()["identity"], Is.EqualTo(Property(code, "identity")), "get_authorization_code");
            Json.AssertSame((await webServer.CallAsync("get_session", session.PartitionKey)).Single()["data"], Json.Parse(session.Properties)!["data"]!.ToJsonString(), "get_session");
        }

        foreach (var githubToken in seeded[Tables[2]].Take(3))
        {
            Json.AssertSame((await webServer.CallAsync("load_github_access_token", githubToken.PartitionKey)).Single()["encrypted_access_token"], Json.Parse(githubToken.Properties)!["accessToken"]!.ToJsonString(), "load_github_access_token");
        }

        Assert.That(await db.ValueAsync<long>("select count(*) from sessions where expires < now()"), Is.EqualTo(seeded[Tables[3]].Count(s => Expired(s))), "expired sessions keep their expiry");
        await PhaseTwo.AssertLoadAsync(db, "web_server", seeded, "at version 26");
    }

    private static string Property(SeededEntity entity, string name) => Json.Parse(entity.Properties)![name]!.GetValue<string>();

    private static bool Expired(SeededEntity entity) =>
        DateTime.Parse(Property(entity, "expires"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal) < DateTime.UtcNow;
}
