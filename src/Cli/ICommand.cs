namespace Tcdb.Cli;

/// <summary>One <c>tcdb</c> subcommand.</summary>
public interface ICommand
{
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full usage text, shown by <c>tcdb help NAME</c> and on usage errors.</summary>
    string Usage { get; }

    IReadOnlySet<string> ValueOptions { get; }

    IReadOnlySet<string> FlagOptions { get; }

    Task<int> RunAsync(CliArgs args, CliContext context);
}

/// <summary>Where a command writes, and how it is cancelled (Ctrl-C).</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, CancellationToken CancellationToken);
