using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace StreamWatch.Observability.Http.Api;

/// <summary>
/// Who may look: with Observability:Auth configured every path but /healthz and /readyz needs a
/// bearer token or HTTP Basic user/password (the password checked against its PBKDF2 hash);
/// without it (only allowed on a loopback address) everything is open.
/// </summary>
internal static class ApiAuth
{
    private static volatile string? _verifiedBasic;

    public static bool IsOpenPath(PathString path) => path == "/healthz" || path == "/readyz";

    public static bool Allowed(HttpRequest request, AuthOptions auth)
    {
        if (!auth.Configured || IsOpenPath(request.Path)) return true;
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(auth.Token))
            return FixedEquals(header[7..].Trim(), auth.Token);
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(auth.User))
        {
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
            catch (FormatException) { return false; }
            var colon = decoded.IndexOf(':');
            if (_verifiedBasic is { } known && FixedEquals(header, known)) return true; // PBKDF2 once, not per request
            var ok = colon > 0 && FixedEquals(decoded[..colon], auth.User) && PasswordHash.Verify(decoded[(colon + 1)..], auth.PasswordHash!);
            if (ok) _verifiedBasic = header;
            return ok;
        }
        return false;
    }

    public static Task Challenge(HttpContext context)
    {
        context.Response.StatusCode = (int)HttpStatusCode.Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"streamwatch\", Bearer";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{\"error\":\"authentication required\"}");
    }

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}

/// <summary>PBKDF2-SHA256 password hashes as "pbkdf2-sha256$ITERATIONS$SALT$HASH" (base64).</summary>
public static class PasswordHash
{
    public const string Scheme = "pbkdf2-sha256";

    public static string Create(string password, int iterations = 210_000)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool IsWellFormed(string? text) => Parse(text) is not null;

    public static bool Verify(string password, string stored)
    {
        if (Parse(stored) is not var (iterations, salt, hash)) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, hash);
    }

    private static (int, byte[], byte[])? Parse(string? text)
    {
        var parts = text?.Split('$');
        if (parts is not [Scheme, var it, var salt, var hash] || !int.TryParse(it, out var iterations) || iterations < 10_000) return null;
        try { return (iterations, Convert.FromBase64String(salt), Convert.FromBase64String(hash)); }
        catch (FormatException) { return null; }
    }
}
