using System.Globalization;
using System.Text;

namespace StreamWatch.Observability.Prometheus;

/// <summary>Pure rules that turn instrument names, units, tags and values into Prometheus text.</summary>
public static class PrometheusNaming
{
    /// <summary>
    /// Family name: prefix + sanitised instrument name + unit suffix (+ <c>_total</c> for counters).
    /// Units: "s" → _seconds, "By" → _bytes; "1" (dimensionless, often a 0/1 state) and "{annotation}" → nothing.
    /// </summary>
    public static string FamilyName(string prefix, string instrument, string? unit, bool counter)
    {
        var sb = new StringBuilder(prefix.Length + instrument.Length + 16);
        sb.Append(prefix);
        AppendSanitised(sb, instrument, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !EndsWithToken(sb, suffix)) sb.Append('_').Append(suffix);
        if (counter && !EndsWithToken(sb, "total")) sb.Append("_total");
        return sb.ToString();
    }

    public static string UnitSuffix(string? unit) => unit switch
    {
        null or "" => "",
        "s" => "seconds",
        "By" => "bytes",
        "1" => "",
        _ when unit.StartsWith('{') && unit.EndsWith('}') => "",
        _ => Sanitise(unit, allowColon: false).Trim('_').ToLowerInvariant(),
    };

    /// <summary>Label name: [a-zA-Z_][a-zA-Z0-9_]*, other characters become '_'.</summary>
    public static string LabelName(string tag)
    {
        var s = Sanitise(tag, allowColon: false);
        return s.StartsWith("__", StringComparison.Ordinal) ? "tag" + s : s; // "__" is reserved
    }

    private static string Sanitise(string s, bool allowColon)
    {
        var sb = new StringBuilder(s.Length + 1);
        AppendSanitised(sb, s, allowColon);
        return sb.ToString();
    }

    private static void AppendSanitised(StringBuilder sb, string s, bool allowColon)
    {
        if (sb.Length == 0 && (s.Length == 0 || char.IsAsciiDigit(s[0]))) sb.Append('_');
        foreach (var c in s)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
    }

    private static bool EndsWithToken(StringBuilder sb, string token)
    {
        if (sb.Length < token.Length + 1 || sb[sb.Length - token.Length - 1] != '_') return false;
        for (var i = 0; i < token.Length; i++)
            if (sb[sb.Length - token.Length + i] != token[i]) return false;
        return true;
    }

    /// <summary>Label value escaping of the text format: backslash, double quote and line feed.</summary>
    public static void AppendEscapedLabelValue(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append(@"\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    /// <summary>HELP text escaping: backslash and line feed.</summary>
    public static string EscapeHelp(string help) => help.Replace(@"\", @"\\").Replace("\n", @"\n");

    public static string FormatValue(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf"
        : double.IsNegativeInfinity(v) ? "-Inf"
        : double.IsNaN(v) ? "NaN"
        : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Label value of a tag: strings as they are, numbers invariant, booleans lower case. A value that
    /// holds a URL (which may carry credentials) becomes "redacted": tags must never carry URLs.
    /// </summary>
    public static string TagValue(object? value) => value switch
    {
        null => "",
        string s when s.Contains("://", StringComparison.Ordinal) => "redacted",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
