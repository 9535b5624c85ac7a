namespace StreamWatch.Core.Config;

/// <summary>
/// A service the configuration names (etcd, PostgreSQL) did not answer at start: exit code 69
/// (EX_UNAVAILABLE). The message names the key (Cluster:Etcd:Endpoints, Store:ConnectionString) and
/// never quotes a secret.
/// </summary>
public sealed class UnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    public const int ExitCode = 69;
}
