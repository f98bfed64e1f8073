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
        new CostCommand(),
        new StatsCommand(),
        new ServerCommand(),
        new NewVersionCommand(),
        new RenumberCommand(),
        new DocsCommand(),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            signal =>
            {
                signal.Cancel = true;
                cancellation.Cancel();
            });
        try
        {
            return await RunAsync(args, new CliContext(stdout, stderr, cancellation.Token));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            var topic = args.Length > 1 ? Find(args[1]) : null;
            context.Out.WriteLine(topic?.Usage ?? Overview());
            return args.Length > 1 && topic is null ? ExitCodes.UnusableInput : ExitCodes.Ok;
        }

        var command = Find(args[0]);
        if (command is null)
        {
            context.Error.WriteLine($"tcdb: unknown command '{args[0]}'");
            context.Error.WriteLine(Overview());
            return ExitCodes.UnusableInput;
        }

        try
        {
            var parsed = CliArgs.Parse(args.Skip(1), command.ValueOptions, command.FlagOptions);
            if (parsed.Has("help"))
            {
                context.Out.WriteLine(command.Usage);
                return ExitCodes.Ok;
            }

            return await command.RunAsync(parsed, context);
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"tcdb {command.Name}: {e.Message}");
            context.Error.WriteLine(command.Usage);
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
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine($"tcdb {command.Name}: cancelled");
            return ExitCodes.UnusableInput;
        }
        catch (Exception e)
        {
            context.Error.WriteLine($"tcdb {command.Name}: internal error (please report it): {e.GetType().Name}: {e.Message}");
            return ExitCodes.InternalError;
        }
    }

    private static ICommand? Find(string name) => Commands.FirstOrDefault(c => c.Name == name);

    private static string Overview()
    {
        var lines = new List<string> { "usage: tcdb <command> [options]   (tcdb help <command> for details)", string.Empty, "commands:" };
        lines.AddRange(Commands.Select(c => $"  {c.Name,-14} {c.Summary}"));
        return string.Join(Environment.NewLine, lines);
    }
}
