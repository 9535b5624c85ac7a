using System.Text.RegularExpressions;
using Npgsql;

namespace StreamWatch.Store.Postgres;

/// <summary>Checks and redacts Store:ConnectionString without ever echoing it.</summary>
public static partial class PgConnection
{
    /// <summary>Why the connection string cannot be used, or null when it can (the reason never quotes it).</summary>
    public static string? Problem(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return "is required when Store:Provider is postgres";
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(b.Host) ? "has no Host" : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return "is not a valid Npgsql connection string (value not shown: it may hold a password)";
        }
    }

    // Password=… / Pwd=… in a key=value connection string, quoted or not, up to the next ';'.
    [GeneratedRegex(@"(?<key>\b(?:password|pwd)\s*=\s*)(?:""[^""]*""|'[^']*'|[^;\s]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordValue();

    /// <summary>The text with every connection-string password replaced by ***.</summary>
    public static string Redact(string text) => PasswordValue().Replace(text, m => m.Groups["key"].Value + "***");
}
