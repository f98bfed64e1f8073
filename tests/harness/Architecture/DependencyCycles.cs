namespace Tcdb.Harness.Tests.Architecture;

/// <summary>
/// Cycles of a directed graph given as edges (a node depending on itself is not a cycle). Each strongly connected
/// component of two or more nodes is one cycle group, reported with one concrete cycle through it.
/// </summary>
public static class DependencyCycles
{
    /// <summary>
    /// The cycle groups of the graph, each as a closed path <c>a -> b -> ... -> a</c>: a shortest cycle of the group
    /// through its first node in ordinal order. Groups are ordered by that node.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Find(IEnumerable<(string From, string To)> edges)
    {
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in edges)
        {
            Node(graph, from);
            Node(graph, to);
            if (from != to)
            {
                graph[from].Add(to);
            }
        }

        var cycles = new List<IReadOnlyList<string>>();
        foreach (var component in StronglyConnectedComponents(graph).Where(c => c.Count > 1))
        {
            var start = component.Min(StringComparer.Ordinal)!;
            cycles.Add(ShortestCycle(graph, component, start));
        }

        return [.. cycles.OrderBy(c => c[0], StringComparer.Ordinal)];
    }

    /// <summary>The cycles as text, one per line: <c>a -> b -> a</c>.</summary>
    public static string Describe(IEnumerable<IReadOnlyList<string>> cycles) =>
        string.Join(Environment.NewLine, cycles.Select(c => string.Join(" -> ", c)));

    private static void Node(SortedDictionary<string, SortedSet<string>> graph, string node)
    {
        if (!graph.ContainsKey(node))
        {
            graph[node] = new SortedSet<string>(StringComparer.Ordinal);
        }
    }

    /// <summary>Tarjan's algorithm, iterative so that a deep graph cannot overflow the stack.</summary>
    private static List<HashSet<string>> StronglyConnectedComponents(SortedDictionary<string, SortedSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<HashSet<string>>();
        var next = 0;
        foreach (var root in graph.Keys)
        {
            if (index.ContainsKey(root))
            {
                continue;
            }

            var work = new Stack<(string Node, IEnumerator<string> Successors)>();
            Visit(root);
            while (work.Count > 0)
            {
                var (node, successors) = work.Peek();
                if (successors.MoveNext())
                {
                    var successor = successors.Current;
                    if (!index.TryGetValue(successor, out var successorIndex))
                    {
                        Visit(successor);
                    }
                    else if (onStack.Contains(successor))
                    {
                        low[node] = Math.Min(low[node], successorIndex);
                    }

                    continue;
                }

                work.Pop();
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }

                if (low[node] == index[node])
                {
                    var component = new HashSet<string>(StringComparer.Ordinal);
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);
                    components.Add(component);
                }
            }

            void Visit(string node)
            {
                index[node] = low[node] = next++;
                stack.Push(node);
                onStack.Add(node);
                work.Push((node, graph[node].GetEnumerator()));
            }
        }

        return components;
    }

    /// <summary>A shortest path from <paramref name="start"/> back to itself inside <paramref name="component"/> (breadth first).</summary>
    private static List<string> ShortestCycle(SortedDictionary<string, SortedSet<string>> graph, HashSet<string> component, string start)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var successor in graph[node].Where(component.Contains))
            {
                if (successor == start)
                {
                    var path = new List<string> { start };
                    for (var at = node; at != start; at = previous[at])
                    {
                        path.Add(at);
                    }

                    path.Add(start);
                    path.Reverse();
                    return path;
                }

                if (previous.TryAdd(successor, node))
                {
                    queue.Enqueue(successor);
                }
            }
        }

        throw new InvalidOperationException($"no cycle through {start} in its own strongly connected component");
    }
}
