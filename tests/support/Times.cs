using System.Globalization;

namespace Tcdb.Tests.Support;

/// <summary>Times as Taskcluster's JavaScript services kept them: UTC, cut to milliseconds, written by Date.toJSON.</summary>
public static class Times
{
    /// <summary>Now, in UTC, cut to milliseconds.</summary>
    public static DateTime Now() => Millis(DateTime.UtcNow);

    /// <summary><paramref name="time"/> in UTC, cut to milliseconds (the precision a JavaScript Date keeps).</summary>
    public static DateTime Millis(DateTime time)
    {
        var utc = time.ToUniversalTime();
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    /// <summary><paramref name="time"/> as <c>2020-03-04T05:06:07.089Z</c>, the form entity values store times in.</summary>
    public static string JsIso(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
