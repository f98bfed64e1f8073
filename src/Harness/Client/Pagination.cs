using System.Runtime.CompilerServices;

namespace Tcdb.Client;

/// <summary>
/// Iterates paginated stored functions page by page. Offset mode asks for (size, offset) with the offset
/// advancing by the rows received; index (keyset) mode asks for (size, after) where <c>after</c> maps
/// <c>after_&lt;column&gt;_in</c> to null first and then to the last row's values. Iteration stops at the first
/// empty page; a short page does not stop it.
/// </summary>
public static class Pagination
{
    public const int DefaultPageSize = 1000;

    public static async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> ByOffsetAsync(
        Func<int, int, CancellationToken, Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>>> fetch,
        int pageSize = DefaultPageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var offset = 0;
        while (true)
        {
            var page = await fetch(pageSize, offset, cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var row in page)
            {
                yield return row;
            }

            offset += page.Count;
        }
    }

    public static async IAsyncEnumerable<IReadOnlyDictionary<string, object?>> ByIndexAsync(
        IReadOnlyList<string> indexColumns,
        Func<int, IReadOnlyDictionary<string, object?>, CancellationToken, Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>>> fetch,
        int pageSize = DefaultPageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        if (indexColumns.Count == 0)
        {
            throw new ArgumentException("index mode needs at least one index column", nameof(indexColumns));
        }

        IReadOnlyDictionary<string, object?> after = indexColumns.ToDictionary(c => $"after_{c}_in", _ => (object?)null);
        while (true)
        {
            var page = await fetch(pageSize, after, cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var row in page)
            {
                yield return row;
            }

            var last = page[^1];
            after = indexColumns.ToDictionary(
                c => $"after_{c}_in",
                c => last.TryGetValue(c, out var value) ? value : throw new InvalidOperationException($"index column {c} is not in the rows returned"));
        }
    }
}
