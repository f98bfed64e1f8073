namespace Tcdb.Client;

/// <summary>Settings of a <see cref="FunctionClient"/>.</summary>
public sealed record FunctionClientOptions
{
    /// <summary><c>statement_timeout</c> of every connection; none when null.</summary>
    public TimeSpan? StatementTimeout { get; init; }

    /// <summary>Skip the setup check that the database is at least at the schema's latest version (harness use).</summary>
    public bool AllowOlderDatabase { get; init; }
}
