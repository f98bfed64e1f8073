using System.Globalization;

namespace Tcdb.Versions.Tests.Support;

/// <summary>Timestamps the way Taskcluster's JavaScript services wrote them into entities (Date.toJSON).</summary>
public static class Js
{
    /// <summary><paramref name="time"/> as <c>2020-03-04T05:06:07.089Z</c>.</summary>
    public static string Iso(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A UTC time cut to milliseconds, the precision a JavaScript Date keeps.</summary>
    public static DateTime Millis(DateTime time)
    {
        var utc = time.ToUniversalTime();
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    /// <summary>Now, cut to milliseconds.</summary>
    public static DateTime Now() => Millis(DateTime.UtcNow);
}
