using System.Text.Json.Nodes;
using NUnit.Framework;
using Tcdb.Client;
using Tcdb.Testing;

namespace Tcdb.Fns.Tests;

/// <summary>The web-server service (v26): OAuth2 access tokens and codes, GitHub tokens, sessions, and their entities shims.</summary>
[TestFixture]
public sealed class WebServerTests : FunctionTest
{
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /// <summary>The entity tables of this file, checked by <see cref="EntityContractTests"/>.</summary>
    internal static readonly EntityShape[] Entities =
    [
        new(
            new("web_server", "access_token_table_entities_load", "access_token_table_entities_create", "access_token_table_entities_modify", "access_token_table_entities_remove", "access_token_table_entities_scan"),
            i => $"{i:D3}{Hash}",
            "oauth2-login-access-token",
            key => new JsonObject
            {
                ["hashedAccessToken"] = key, ["accessToken"] = Values.TrickyJson(), ["clientId"] = "tools/" + Values.Tricky, ["redirectUri"] = "https://example.com/cb",
                ["identity"] = Values.Tricky, ["identityProviderId"] = "github", ["expires"] = Times.JsIso(Times.Now().AddDays(1)), ["clientDetails"] = Values.TrickyJson(),
            },
            "clientDetails"),
        new(
            new("web_server", "authorization_codes_table_entities_load", "authorization_codes_table_entities_create", "authorization_codes_table_entities_modify", "authorization_codes_table_entities_remove", "authorization_codes_table_entities_scan"),
            i => $"{i:D3}-code",
            "oauth2-login-code",
            key => new JsonObject
            {
                ["code"] = key, ["clientId"] = "tools", ["redirectUri"] = "https://example.com/cb", ["identity"] = Values.Tricky,
                ["identityProviderId"] = "mozilla-auth0", ["expires"] = Times.JsIso(Times.Now().AddMinutes(10)), ["clientDetails"] = Values.TrickyJson(),
            },
            "identity"),
        new(
            new("web_server", "github_access_token_table_entities_load", "github_access_token_table_entities_create", "github_access_token_table_entities_modify", "github_access_token_table_entities_remove", "github_access_token_table_entities_scan"),
            i => $"{1000 + i}",
            "github-access-token",
            key => new JsonObject { ["userId"] = key, ["accessToken"] = Values.TrickyJson() },
            "accessToken"),
        new(
            new("web_server", "session_storage_table_entities_load", "session_storage_table_entities_create", "session_storage_table_entities_modify", "session_storage_table_entities_remove", "session_storage_table_entities_scan"),
            i => $"{i:D3}{Hash}",
            "session",
            key => new JsonObject { ["hashedSessionId"] = key, ["sessionId"] = Values.TrickyJson(), ["data"] = Values.TrickyJson(), ["expires"] = Times.JsIso(Times.Now().AddDays(1)) },
            "data"),
    ];

    private FunctionClient WebServer => Client("web_server");

    [Test]
    public async Task Create_then_get_access_token_round_trips_every_column()
    {
        var expires = Times.Now().AddDays(7);

        var created = (await CreateTokenAsync(Hash, expires)).Single();
        var row = (await WebServer.CallAsync("get_access_token", Hash)).Single();

        Assert.That(row, Is.EqualTo(created));
        Assert.That(
            new[] { row["hashed_access_token"], row["client_id"], row["redirect_uri"], row["identity"], row["identity_provider_id"], row["expires"] },
            Is.EqualTo(new object[] { Hash, "tools/" + Values.Tricky, "https://example.com/cb?state=" + Values.Tricky, Values.Tricky, "github", expires }));
        Assert.That(Json.Same(row["encrypted_access_token"], Values.TrickyJson()) && Json.Same(row["client_details"], Values.TrickyJson()), Is.True);
        Assert.That(await WebServer.CallAsync("get_access_token", "missing"), Is.Empty);
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => CreateTokenAsync(Hash, expires));
    }

    [Test]
    public async Task Expire_access_tokens_deletes_tokens_expired_before_the_time()
    {
        await CreateTokenAsync("old", Times.Now().AddDays(-1));
        await CreateTokenAsync("live", Times.Now().AddDays(1));

        Assert.That((await WebServer.CallAsync("expire_access_tokens", Times.Now())).Single()["expire_access_tokens"], Is.EqualTo(1));
        Assert.That(await WebServer.CallAsync("get_access_token", "old"), Is.Empty);
        Assert.That(await WebServer.CallAsync("get_access_token", "live"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Authorization_codes_are_unique_readable_and_expire()
    {
        var expires = Times.Now().AddMinutes(10);
        var created = (await WebServer.CallAsync("create_authorization_code", Values.Tricky, "tools", "https://example.com/cb", "github/1|me", "github", expires, Values.TrickyJson())).Single();
        await WebServer.CallAsync("create_authorization_code", "stale", "tools", "https://example.com/cb", "github/1|me", "github", Times.Now().AddMinutes(-1), new JsonObject());

        Assert.That((await WebServer.CallAsync("get_authorization_code", Values.Tricky)).Single(), Is.EqualTo(created));
        await AssertSqlStateAsync(SqlStates.UniqueViolation, () => WebServer.CallAsync("create_authorization_code", Values.Tricky, "t", "u", "i", "p", expires, new JsonObject()));
        Assert.That((await WebServer.CallAsync("expire_authorization_codes", Times.Now())).Single()["expire_authorization_codes"], Is.EqualTo(1));
        Assert.That(await WebServer.CallAsync("get_authorization_code", "stale"), Is.Empty);
    }

    [Test]
    public async Task A_github_access_token_is_replaced_per_user()
    {
        await WebServer.CallAsync("add_github_access_token", "1234", new JsonObject { ["v"] = 1 });
        await WebServer.CallAsync("add_github_access_token", "1234", Values.TrickyJson());

        Assert.That(Json.Same((await WebServer.CallAsync("load_github_access_token", "1234")).Single()["encrypted_access_token"], Values.TrickyJson()), Is.True);
        Assert.That(await WebServer.CallAsync("load_github_access_token", "5678"), Is.Empty);
    }

    [Test]
    public async Task A_session_is_stored_touched_deleted_and_expired()
    {
        var expires = Times.Now().AddHours(1);
        await WebServer.CallAsync("upsert_session", Hash, Values.TrickyJson(), new JsonObject { ["cookie"] = 1 }, expires);
        await WebServer.CallAsync("touch_session", Hash, Values.TrickyJson(), expires.AddHours(1));
        Assert.DoesNotThrowAsync(() => WebServer.CallAsync("touch_session", "missing", new JsonObject(), expires));

        var row = (await WebServer.CallAsync("get_session", Hash)).Single();
        Assert.That((row["hashed_session_id"], row["expires"]), Is.EqualTo((Hash, expires.AddHours(1))));
        Assert.That(Json.Same(row["data"], Values.TrickyJson()) && Json.Same(row["encrypted_session_id"], Values.TrickyJson()), Is.True);
        Assert.That(await WebServer.CallAsync("get_session", "missing"), Is.Empty);

        await WebServer.CallAsync("upsert_session", "stale", new JsonObject(), new JsonObject(), Times.Now().AddMinutes(-1));
        Assert.That((await WebServer.CallAsync("expire_sessions")).Single()["expire_sessions"], Is.EqualTo(1));
        await WebServer.CallAsync("delete_session", Hash);
        Assert.DoesNotThrowAsync(() => WebServer.CallAsync("delete_session", Hash));
        Assert.That(await ScalarAsync<long>("select count(*) from sessions"), Is.EqualTo(0));
    }

    [Test]
    public async Task The_entity_shims_read_typed_rows_under_their_constant_row_keys()
    {
        await WebServer.CallAsync("upsert_session", Hash, Values.TrickyJson(), Values.TrickyJson(), Times.Now().AddHours(1));
        await CreateTokenAsync(Hash, Times.Now().AddHours(1));

        Assert.That(await WebServer.CallAsync("session_storage_table_entities_load", Hash, "session"), Has.Count.EqualTo(1));
        Assert.That(await WebServer.CallAsync("session_storage_table_entities_load", Hash, "other"), Is.Empty);
        var token = (await WebServer.CallAsync("access_token_table_entities_load", Hash, "oauth2-login-access-token")).Single();
        Assert.That(Json.Parse(token["value"])!["redirectUri"]!.GetValue<string>(), Is.EqualTo("https://example.com/cb?state=" + Values.Tricky));
    }

    [Test]
    public async Task Other_services_cannot_touch_tokens_nor_read_them_without_grants()
    {
        Assert.ThrowsAsync<MethodNotAllowedException>(() => Client("auth").CallAsync("upsert_session", Hash, new JsonObject(), new JsonObject(), Times.Now()));
        await AssertSqlStateAsync("42501", () => Client("auth").CallAsync("get_access_token", Hash));
        await AssertSqlStateAsync("42501", () => Client("github").CallAsync("load_github_access_token", "1234"));
    }

    private Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> CreateTokenAsync(string hash, DateTime expires) =>
        WebServer.CallAsync("create_access_token", hash, Values.TrickyJson(), "tools/" + Values.Tricky, "https://example.com/cb?state=" + Values.Tricky, Values.Tricky, "github", expires, Values.TrickyJson());
}
