using Tcdb.Servers;

namespace Tcdb.Runs;

/// <summary>
/// Moves a database from version <c>from</c> to version <c>to</c> (both whole versions; <c>from</c> &lt; <c>to</c>)
/// the way the chain's owner wants (plain upgrades, or rows seeded before each version). False when the database
/// cannot get there: the chain then has no template at <c>to</c> or above.
/// </summary>
public delegate Task<bool> TemplateAdvance(ServerDatabase database, int from, int to, CancellationToken cancellationToken);

/// <summary>
/// Template databases of one run, one per version asked for, made by a single upward pass: a builder database
/// advanced from version to version and copied at each version a template is wanted, so that a consumer needing
/// a database at version N clones a template in milliseconds instead of upgrading from 0. The builder and the
/// templates belong to the <see cref="RunScope"/>; consumers clone them and never use them directly.
/// </summary>
/// <remarks>
/// Templates are made on first request, in any order: a request below the builder's version starts a new builder
/// from the nearest template beneath it. <see cref="Prepare"/> promises a set of versions up front and builds them
/// in one ascending pass, so consumers that start together wait for their template instead of racing to build it.
/// A version that fails (an exception of <see cref="TemplateAdvance"/>) fails every later request for it alike.
/// </remarks>
public sealed class TemplateChain
{
    private readonly RunScope scope;
    private readonly TemplateAdvance advance;
    private readonly Lock turnGate = new();
    private readonly Dictionary<int, Task<ServerDatabase?>> templates = [];
    private readonly Dictionary<int, ServerDatabase> built = [];
    private Task lastTurn = Task.CompletedTask;
    private ServerDatabase? builder;
    private int builderVersion;
    private int? unreachableFrom;

    public TemplateChain(RunScope scope, TemplateAdvance advance)
    {
        this.scope = scope;
        this.advance = advance;
    }

    /// <summary>
    /// Builds the templates at <paramref name="versions"/> in one ascending pass, promising them at once: a request
    /// for one of them waits for the pass. Returns when the pass ends.
    /// </summary>
    public Task Prepare(IEnumerable<int> versions, CancellationToken cancellationToken = default)
    {
        var promised = new List<(int Version, TaskCompletionSource<ServerDatabase?> Template)>();
        lock (templates)
        {
            foreach (var version in versions.Distinct().Order())
            {
                if (!templates.ContainsKey(version))
                {
                    var template = new TaskCompletionSource<ServerDatabase?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    templates[version] = template.Task;
                    promised.Add((version, template));
                }
            }
        }

        return PassAsync(promised, cancellationToken);
    }

    /// <summary>The template at <paramref name="version"/>, made on first request; null when the chain cannot reach it.</summary>
    public Task<ServerDatabase?> TemplateAsync(int version, CancellationToken cancellationToken = default)
    {
        lock (templates)
        {
            if (!templates.TryGetValue(version, out var template) || template.IsCanceled)
            {
                templates[version] = template = BuildAsync(version, cancellationToken);
            }

            return template;
        }
    }

    /// <summary>A fresh copy of the template at <paramref name="version"/>, dropped with the scope (or when disposed); null when the chain cannot reach it.</summary>
    public async Task<ServerDatabase?> CloneAsync(int version, CancellationToken cancellationToken = default) =>
        await TemplateAsync(version, cancellationToken) is { } template ? await scope.CloneAsync(template, cancellationToken) : null;

    private async Task PassAsync(List<(int Version, TaskCompletionSource<ServerDatabase?> Template)> promised, CancellationToken cancellationToken)
    {
        for (var i = 0; i < promised.Count; i++)
        {
            try
            {
                promised[i].Template.TrySetResult(await BuildAsync(promised[i].Version, cancellationToken));
            }
            catch (Exception e)
            {
                foreach (var (_, template) in promised.Skip(i))
                {
                    template.TrySetException(e);
                }

                throw;
            }
        }
    }

    private async Task<ServerDatabase?> BuildAsync(int version, CancellationToken cancellationToken)
    {
        // One builder: requests take turns, in the order they came.
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (turnGate)
        {
            previous = lastTurn;
            lastTurn = turn.Task;
        }

        var started = false;
        try
        {
            await previous.WaitAsync(cancellationToken);
            started = true;
            if (built.TryGetValue(version, out var existing))
            {
                return existing;
            }

            if (version >= unreachableFrom)
            {
                return null;
            }

            if (builder is null || builderVersion > version)
            {
                var start = built.Keys.Where(v => v <= version).DefaultIfEmpty(-1).Max();
                builder = start < 0 ? await scope.CreateDatabaseAsync(cancellationToken) : await scope.CloneAsync(built[start], cancellationToken);
                builderVersion = Math.Max(start, 0);
            }

            if (version > builderVersion)
            {
                var from = builderVersion;
                bool reached;
                try
                {
                    reached = await advance(builder, from, version, cancellationToken);
                }
                catch
                {
                    // The builder stopped somewhere between the two versions: the next request starts afresh.
                    builder = null;
                    throw;
                }

                if (!reached)
                {
                    unreachableFrom = Math.Min(unreachableFrom ?? version, version);
                    builder = null;
                    return null;
                }

                builderVersion = version;
            }

            var template = await scope.CloneAsync(builder, cancellationToken);
            built[version] = template;
            return template;
        }
        finally
        {
            if (started)
            {
                turn.SetResult();
            }
            else
            {
                // Cancelled while waiting: the next request still waits for the one before this.
                _ = previous.ContinueWith(_ => turn.SetResult(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
    }
}
