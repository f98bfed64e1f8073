namespace Tcdb.Authoring;

/// <summary>
/// An authoring command that refuses to act (the target exists, the result would leave a gap, the result would
/// not load). The message says what was refused and why; nothing was changed on disk.
/// </summary>
public sealed class AuthoringException(string message) : Exception(message);
