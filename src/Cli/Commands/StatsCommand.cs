using Npgsql;
using Tcdb.Cost;
using Tcdb.Servers;

namespace Tcdb.Cli.Commands;

/// <summary><c>tcdb stats</c>: row counts and sizes of a real database's tables, for <c>tcdb cost --stats</c>.</summary>
public sealed class StatsCommand : ICommand
{
    public string Name => "stats";

    public string Summary => "print the row counts and sizes of a database's tables as JSON (for tcdb cost --stats)";

    public string Usage => """
        usage: tcdb stats [--admin-db-url URL] [--out FILE]

        Reads row counts (the planner's estimate after ANALYZE, else the statistics' live tuples) and sizes of
        every user table from the catalog and the statistics views only; never row data. Run it against
        production (a read-only role is enough) and give the file to `tcdb cost --stats FILE`.

          --admin-db-url URL   the database (default: $ADMIN_DB_URL)
          --out FILE           write the JSON there instead of standard output

        exit codes: 0 written, 2 unusable input (no URL, unreachable database)
        """;

    public IReadOnlySet<string> ValueOptions { get; } = new HashSet<string> { "admin-db-url", "out" };

    public IReadOnlySet<string> FlagOptions { get; } = new HashSet<string> { "help" };

    public async Task<int> RunAsync(CliArgs args, CliContext context)
    {
        if (args.Positional.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        }

        var connectionString = DatabaseOptions.ResolveAdminUrl(args);

        ProductionStats stats;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(context.CancellationToken);
            stats = await ProductionStats.ReadAsync(connection, ConnectionStrings.Redact(connectionString), context.CancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new ServerUnavailableException($"cannot read the statistics of {ConnectionStrings.Redact(connectionString)}: {e.Message}", e);
        }

        if (args.Get("out") is { } file)
        {
            File.WriteAllText(file, stats.ToJson() + "\n");
            context.Error.WriteLine($"tcdb stats: {stats.Tables.Count} table(s) written to {file}");
        }
        else
        {
            context.Out.WriteLine(stats.ToJson());
        }

        return ExitCodes.Ok;
    }
}
