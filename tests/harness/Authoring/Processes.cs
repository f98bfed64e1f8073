using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tcdb.Harness.Tests.Authoring;

/// <summary>Runs the dotnet SDK and other programs from tests, with a time limit and captured output.</summary>
internal static class Processes
{
    /// <summary>The folder of the running .NET installation (the one holding the <c>dotnet</c> host).</summary>
    public static string DotnetRoot { get; } =
        Path.GetFullPath(Path.Join(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    public static string Dotnet => Path.Join(DotnetRoot, "dotnet");

    /// <summary>Runs <paramref name="program"/>; the result holds the exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_ROOT"] = DotnetRoot;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout ?? TimeSpan.FromMinutes(3)}");
        }

        return (process.ExitCode, $"$ {program} {string.Join(' ', arguments)}\n{await stdout}{await stderr}");
    }

    /// <summary>Debug or Release: the configuration this test assembly was built in, so builds it triggers are up to date.</summary>
    public static string BuildConfiguration =>
        TestContext.CurrentContext.TestDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
}
