namespace StreamWatch.Cli;

/// <summary>Wrong command-line words found while a verb runs: exit code 64 (EX_USAGE) with the verb's usage.</summary>
public sealed class UsageException(string message) : Exception(message)
{
    public const int ExitCode = 64;
}
