namespace Tcdb.Cli;

/// <summary>Process exit codes shared by every command.</summary>
public static class ExitCodes
{
    /// <summary>Everything holds.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found defects (or, for check, any finding).</summary>
    public const int Findings = 1;

    /// <summary>Unusable input: bad arguments, a db directory that cannot be loaded, an unusable server or path.</summary>
    public const int UnusableInput = 2;

    /// <summary>A bug in tcdb itself: the message asks for a report.</summary>
    public const int InternalError = 70;

    /// <summary>Cancelled by SIGINT (Ctrl-C), after cleaning up.</summary>
    public const int Interrupted = 128 + 2;

    /// <summary>The exit code after a signal: 128 + its number (129 SIGHUP, 130 SIGINT, 143 SIGTERM).</summary>
    public static int Signalled(int signalNumber) => 128 + signalNumber;
}
