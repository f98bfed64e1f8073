using Npgsql;

namespace Tcdb.Servers;

/// <summary>Converts between the URI form Taskcluster uses and Npgsql's keyword form.</summary>
public static class ConnectionStrings
{
    /// <summary>
    /// Accepts <c>postgresql://user:pass@host:port/db?sslmode=...</c> (or <c>postgres://</c>) or an Npgsql
    /// keyword string, and returns an Npgsql keyword string.
    /// </summary>
    public static string Normalize(string urlOrKeywords)
    {
        var text = urlOrKeywords.Trim();
        if (text.Length == 0)
        {
            throw new FormatException("the server URL is empty; expected postgresql://user:pass@host:port/db");
        }

        if (!text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) &&
            !text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var keywords = new NpgsqlConnectionStringBuilder(text);
                return string.IsNullOrEmpty(keywords.Host)
                    ? throw new FormatException($"'{Redact(text)}' names no host; expected postgresql://user:pass@host:port/db (or an Npgsql connection string with Host=)")
                    : keywords.ConnectionString;
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"not a PostgreSQL URL (postgresql://user:pass@host:port/db) nor an Npgsql connection string: {e.Message}", e);
            }
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"malformed PostgreSQL URL '{Redact(text)}': expected postgresql://user:pass@host:port/db");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        builder.Database = database.Length > 0 ? database : "postgres";
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
            try
            {
                switch (key.ToLowerInvariant())
                {
                    case "ssl" when value is "1" or "true":
                        builder.SslMode = SslMode.Require;
                        break;
                    case "ssl" when value == "authorized":
                        builder.SslMode = SslMode.VerifyFull;
                        break;
                    case "sslmode":
                        builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", string.Empty), ignoreCase: true);
                        break;
                    default:
                        builder[key] = value;
                        break;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw new FormatException($"PostgreSQL URL '{Redact(text)}': parameter {key}={value} is not understood ({e.Message.Split(" (Parameter", 2)[0]})", e);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>The same connection string pointed at another database.</summary>
    public static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    /// <summary>The same connection string with other credentials.</summary>
    public static string WithUser(string connectionString, string user, string? password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = user, Password = password }.ConnectionString;

    /// <summary>A connection string safe to print: the password is replaced by <c>***</c>.</summary>
    public static string Redact(string connectionStringOrUrl)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionStringOrUrl);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = "***";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            var at = connectionStringOrUrl.LastIndexOf('@');
            var scheme = connectionStringOrUrl.IndexOf("://", StringComparison.Ordinal);
            return at > 0 && scheme > 0 ? connectionStringOrUrl[..(scheme + 3)] + "***" + connectionStringOrUrl[at..] : connectionStringOrUrl;
        }
    }

    /// <summary>The URI form (<c>postgresql://user:pass@host:port/db</c>) of an Npgsql keyword string.</summary>
    public static string ToUrl(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var credentials = Uri.EscapeDataString(builder.Username ?? string.Empty);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            credentials += ":" + Uri.EscapeDataString(builder.Password);
        }

        var host = builder.Host ?? "localhost";
        if (host.Contains(':', StringComparison.Ordinal))
        {
            host = $"[{host}]";
        }

        return $"postgresql://{(credentials.Length > 0 ? credentials + "@" : string.Empty)}{host}:{builder.Port}/{Uri.EscapeDataString(builder.Database ?? "postgres")}";
    }
}
