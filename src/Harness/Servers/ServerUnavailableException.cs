namespace Tcdb.Servers;

/// <summary>A PostgreSQL server could not be started or reached; the message says why and what to do.</summary>
public sealed class ServerUnavailableException : Exception
{
    public ServerUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
