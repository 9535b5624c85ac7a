using System.Net;
using StreamWatch.Core.Config;

namespace StreamWatch.Observability;

/// <summary>Config section "Observability": where /metrics, /healthz, /readyz and /api/status listen.</summary>
public sealed class ObservabilityOptions : IValidatable
{
    public const string Section = "Observability";

    /// <summary>IP:port ("127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"); port 0 picks a free one.</summary>
    public string Listen { get; set; } = "127.0.0.1:9464";
    public bool Enabled { get; set; } = true;
    /// <summary>Credentials for everything but /healthz and /readyz; required when Listen is not a loopback address.</summary>
    public AuthOptions Auth { get; set; } = new();

    public IPEndPoint ListenEndPoint() =>
        TryParseListen(Listen, out var ep) ? ep : throw new FormatException($"{Section}:Listen: '{Listen}' is not IP:port");

    public void Validate(string path, ConfigErrors errors)
    {
        if (!TryParseListen(Listen, out _))
            errors.Add($"{path}:Listen", $"must be IP:port, e.g. 127.0.0.1:9464 or [::1]:9464 (got '{Listen}')");
        else if (Enabled && !IPAddress.IsLoopback(ListenEndPoint().Address) && !Auth.Configured)
            errors.Add($"{path}:Auth:Token", "is required when Listen is not a loopback address (or set Auth:User and Auth:PasswordHash)");
        if (!string.IsNullOrEmpty(Auth.User) && !Http.Api.PasswordHash.IsWellFormed(Auth.PasswordHash))
            errors.Add($"{path}:Auth:PasswordHash", "must be a hash from `streamwatch hash-password` (pbkdf2-sha256$…) when Auth:User is set");
    }

    private static bool TryParseListen(string? text, out IPEndPoint ep)
    {
        ep = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var colon = text.LastIndexOf(':');
        if (colon < 0 || text.EndsWith(']')) return false; // the port is required
        if (!IPEndPoint.TryParse(text, out var parsed)) return false;
        ep = parsed;
        return true;
    }
}

/// <summary>Config section "Observability:Auth": a bearer token and/or a user with a hashed password.</summary>
public sealed class AuthOptions
{
    public string? Token { get; set; }
    public string? User { get; set; }
    /// <summary>PBKDF2 hash of the password ("pbkdf2-sha256$ITERATIONS$SALT$HASH"), never the password.</summary>
    public string? PasswordHash { get; set; }

    public bool Configured => !string.IsNullOrEmpty(Token) || (!string.IsNullOrEmpty(User) && Http.Api.PasswordHash.IsWellFormed(PasswordHash));
}
