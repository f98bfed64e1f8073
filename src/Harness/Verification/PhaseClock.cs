using System.Diagnostics;

namespace Tcdb.Verification;

/// <summary>Milliseconds spent per phase of a version's check, and the phase that is running.</summary>
internal sealed class PhaseClock
{
    private readonly Dictionary<string, double> milliseconds = new(StringComparer.Ordinal);

    /// <summary>The phase running now (or the last one that ran), for the message of a timeout.</summary>
    public string? Running { get; private set; }

    public IReadOnlyDictionary<string, double> Milliseconds => milliseconds;

    public async Task<T> TimeAsync<T>(string phase, Func<Task<T>> step)
    {
        var stopwatch = Stopwatch.StartNew();
        Running = phase;
        try
        {
            return await step();
        }
        finally
        {
            milliseconds[phase] = milliseconds.GetValueOrDefault(phase) + stopwatch.Elapsed.TotalMilliseconds;
        }
    }

    public Task TimeAsync(string phase, Func<Task> step) => TimeAsync(phase, async () =>
    {
        await step();
        return true;
    });
}
