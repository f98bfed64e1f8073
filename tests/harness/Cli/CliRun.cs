using Tcdb.Cli;

namespace Tcdb.Harness.Tests.Cli;

/// <summary>Runs <c>tcdb</c> in process and captures what it prints.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, new CliContext(stdout, stderr, CancellationToken.None));
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}
