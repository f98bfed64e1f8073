namespace Tcdb.Seeding;

/// <summary>
/// Values the seed documents warn about: backslashes (which must travel byte for byte), quotes,
/// dollar quoting, unicode including the astral plane, empty strings and very long text. Every text
/// column's first rows take these in order, so each one is written at least once.
/// </summary>
public static class HostileValues
{
    /// <summary>Length of <see cref="LongText"/>.</summary>
    public const int LongTextLength = 20_000;

    public static readonly string LongText = string.Concat(Enumerable.Repeat("long \\ text 'with' \"quotes\" and ☃ ", LongTextLength / 34 + 1))[..LongTextLength];

    public static IReadOnlyList<string> Text { get; } =
    [
        string.Empty,
        "\\",
        "\\\\",
        @"C:\temp\new\table",
        @"regex '\s+' and '\.' and '\1T\2Z'",
        @"\x41\x00",
        @"E'\n'",
        "'",
        "''",
        "\"",
        "it's a \"quoted\" value",
        "$$",
        "$body$ select 1 $body$",
        "$1 and $2",
        "%_ like wildcards",
        "line one\nline two\r\nline three",
        "tab\tseparated",
        "café naïve façade",
        "日本語のテキスト",
        "😀 grinning face",
        "𝄞 G clef and 𐍈 hwair",
        "zero\u200bwidth",
        "null",
        "NULL",
        "{\"not\": \"json\"",
        "; drop table widgets; --",
        " leading and trailing ",
        LongText,
    ];
}
