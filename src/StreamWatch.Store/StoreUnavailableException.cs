namespace StreamWatch.Store;

/// <summary>The configured store could not be reached at start: exit code 69 (EX_UNAVAILABLE), the
/// message names Store:ConnectionString and never quotes it.</summary>
public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner)
{
    public const int ExitCode = 69;
}
