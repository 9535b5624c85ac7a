using System.Text.RegularExpressions;

namespace StreamWatch.Ingest;

/// <summary>
/// Removes credentials from every URL inside arbitrary text — camera URLs, ffmpeg command lines,
/// ffmpeg's stderr lines, any log line — before anything is logged: the userinfo (<c>user:pass@</c>)
/// and the values of query parameters that carry secrets (<see cref="IsSecretParameter"/>).
/// </summary>
public static partial class UrlRedactor
{
    public const string Mask = "***";

    // scheme://userinfo@ — userinfo runs to the last '@' before the host, may itself contain '@'
    // (unencoded passwords) but never '/', whitespace or quotes.
    [GeneratedRegex(@"(?<scheme>\b[a-z][a-z0-9+.\-]*://)[^\s/?#'""<>@]*(?:@[^\s/?#'""<>@]*)*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    // ?name=value or &name=value (also ';'), the value up to the next separator, whitespace or quote.
    // Names: password, passwd, pass, pwd, token, key, auth, secret, also with a prefix (api_key, access_token, x-auth).
    [GeneratedRegex(@"(?<name>[?&;](?:[a-z0-9]*[_\-.])?(?:password|passwd|pass|pwd|token|key|apikey|auth|secret))=[^&;#\s'""<>]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretParameter();

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (text.Contains('@')) text = UserInfo().Replace(text, m => m.Groups["scheme"].Value + Mask + "@");
        if (text.Contains('=')) text = SecretParameter().Replace(text, m => m.Groups["name"].Value + "=" + Mask);
        return text;
    }

    /// <summary>Whether <paramref name="url"/> carries credentials that <see cref="Redact"/> would remove.</summary>
    public static bool HasCredentials(string url) => Redact(url) != url;
}
