using System.Runtime.InteropServices;
using Npgsql;
using Tcdb.Cli.Commands;
using Tcdb.Servers;

namespace Tcdb.Cli;

/// <summary>Entry point of <c>tcdb</c>: finds the command, parses its options, maps failures to exit codes.</summary>
public static class CliApp
{
    /// <summary>Every command, in the order <c>tcdb help</c> lists them.</summary>
    public static IReadOnlyList<ICommand> Commands { get; } =
    [
        new CheckCommand(),
        new UpgradeCommand(),
        new DowngradeCommand(),
        new StatusCommand(),
        new VerifyCommand(),
        new MutateCommand(),
        new CostCommand(),
        new StatsCommand(),
        new ServerCommand(),
        new CleanCommand(),
        new NewVersionCommand(),
        new RenumberCommand(),
        new DocsCommand(),
    ];

    /// <summary>
    /// Runs a command as the process does: SIGINT (Ctrl-C), SIGTERM and SIGHUP cancel it, it cleans up what it
    /// created, and the exit code is 128 + the signal number (130, 143, 129). A second signal is not caught,
    /// so it ends the process at once.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var cancellation = new CancellationTokenSource();
        var received = 0;
        void OnSignal(PosixSignalContext signal)
        {
            if (Interlocked.CompareExchange(ref received, SignalNumber(signal.Signal), 0) == 0)
            {
                signal.Cancel = true;
                cancellation.Cancel();
            }
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        int exit;
        try
        {
            exit = await RunAsync(args, new CliContext(stdout, stderr, cancellation.Token));
        }
        catch (IOException) when (received != 0)
        {
            // After SIGHUP the terminal is gone and printing fails; the cleanup already ran.
            exit = ExitCodes.Interrupted;
        }

        return received == 0 ? exit : ExitCodes.Signalled(received);
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            var topic = args.Length > 1 ? Find(args[1]) : null;
            if (args.Length > 1 && topic is null)
            {
                context.Error.WriteLine($"tcdb help: unknown command '{args[1]}'; {ListHint}");
                return ExitCodes.UnusableInput;
            }

            context.Out.WriteLine(topic?.Usage ?? Overview());
            return ExitCodes.Ok;
        }

        var command = Find(args[0]);
        if (command is null)
        {
            context.Error.WriteLine($"tcdb: unknown command '{args[0]}'; {ListHint}");
            return ExitCodes.UnusableInput;
        }

        if (args.Skip(1).TakeWhile(a => a != "--").Any(a => a is "--help" or "-h"))
        {
            context.Out.WriteLine(command.Usage);
            return ExitCodes.Ok;
        }

        try
        {
            var parsed = CliArgs.Parse(args.Skip(1), command.ValueOptions, command.FlagOptions);
            return await command.RunAsync(parsed, context);
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"tcdb {command.Name}: {e.Message}; see tcdb help {command.Name}");
            return ExitCodes.UnusableInput;
        }
        catch (DbDirectoryException e)
        {
            foreach (var line in e.Lines(command.Name))
            {
                context.Error.WriteLine(line);
            }

            return ExitCodes.UnusableInput;
        }
        catch (Tcdb.Cost.StatsFileException e)
        {
            context.Error.WriteLine($"tcdb {command.Name}: {e.Message}");
            return ExitCodes.UnusableInput;
        }
        catch (ServerUnavailableException e)
        {
            context.Error.WriteLine($"tcdb {command.Name}: {e.Message}");
            return ExitCodes.UnusableInput;
        }
        catch (Exception e) when (e is NpgsqlException and not PostgresException && !context.CancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine($"tcdb {command.Name}: lost the connection to the server: {e.Message}; check that it is up and run the command again");
            return ExitCodes.UnusableInput;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.InsufficientPrivilege
                                          && !context.CancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine($"tcdb {command.Name}: the server refused or ended the session: {e.MessageText} (SQLSTATE {e.SqlState}); check the server and the rights of the URL's user, then run the command again");
            return ExitCodes.UnusableInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !context.CancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine($"tcdb {command.Name}: a file cannot be read or written: {e.Message}");
            return ExitCodes.UnusableInput;
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested)
        {
            // However the cancellation surfaced (a cancelled command, a broken connection), it is not a bug.
            context.Error.WriteLine($"tcdb {command.Name}: cancelled; what this run created was removed");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            context.Error.WriteLine($"tcdb {command.Name}: internal error (please report it): {e.GetType().Name}: {e.Message}");
            return ExitCodes.InternalError;
        }
    }

    private const string ListHint = "tcdb help lists the commands";

    private static ICommand? Find(string name) => Commands.FirstOrDefault(c => c.Name == name);

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "not a signal tcdb handles"),
    };

    private static string Overview()
    {
        var lines = new List<string> { "usage: tcdb <command> [options]   (tcdb help <command> for details)", string.Empty, "commands:" };
        lines.AddRange(Commands.Select(c => $"  {c.Name,-14} {c.Summary}"));
        return string.Join(Environment.NewLine, lines);
    }
}
