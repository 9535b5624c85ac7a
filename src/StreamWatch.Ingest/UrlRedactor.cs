using System.Text.RegularExpressions;

namespace StreamWatch.Ingest;

/// <summary>
/// Removes credentials (<c>user:pass@</c>) from every URL inside arbitrary text — camera URLs,
/// ffmpeg command lines and ffmpeg's stderr lines — before anything is logged.
/// </summary>
public static partial class UrlRedactor
{
    public const string Mask = "***";

    // scheme://userinfo@ — userinfo runs to the last '@' before the host, may itself contain '@'
    // (unencoded passwords) but never '/', whitespace or quotes.
    [GeneratedRegex(@"(?<scheme>\b[a-z][a-z0-9+.\-]*://)[^\s/?#'""<>@]*(?:@[^\s/?#'""<>@]*)*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!text.Contains('@')) return text;
        return UserInfo().Replace(text, m => m.Groups["scheme"].Value + Mask + "@");
    }
}
