using Npgsql;
using Tcdb.Servers;

namespace Tcdb.Harness.Tests.Servers;

[TestFixture]
public sealed class ConnectionStringsTests
{
    [Test]
    public void TaskclusterUrlBecomesKeywords()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionStrings.Normalize("postgresql://admin:p%40ss@db.example:6543/tc?sslmode=require"));
        Assert.That((builder.Host, builder.Port, builder.Username, builder.Password, builder.Database, builder.SslMode),
            Is.EqualTo(("db.example", 6543, "admin", "p@ss", "tc", SslMode.Require)));
    }

    [Test]
    public void KeywordFormIsAccepted()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionStrings.Normalize("Host=h;Username=u;Database=d"));
        Assert.That((builder.Host, builder.Username, builder.Database), Is.EqualTo(("h", "u", "d")));
    }

    [Test]
    public void UrlRoundTrips()
    {
        const string url = "postgresql://u:p%3Aw@127.0.0.1:5433/some_db";
        Assert.That(ConnectionStrings.ToUrl(ConnectionStrings.Normalize(url)), Is.EqualTo(url));
    }

    [Test]
    public void GarbageIsAFormatError() =>
        Assert.Throws<FormatException>(() => ConnectionStrings.Normalize("postgresql://"));

    [Test]
    public void RedactHidesThePassword() =>
        Assert.That(ConnectionStrings.Redact("Host=h;Username=u;Password=hunter2"), Does.Not.Contain("hunter2"));
}
