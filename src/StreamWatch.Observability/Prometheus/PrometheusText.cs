using System.Text;

namespace StreamWatch.Observability.Prometheus;

/// <summary>Writes families and samples in the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Header(StringBuilder sb, string family, string type, string help)
    {
        sb.Append("# HELP ").Append(family).Append(' ').Append(PrometheusNaming.EscapeHelp(help)).Append('\n');
        sb.Append("# TYPE ").Append(family).Append(' ').Append(type).Append('\n');
    }

    /// <param name="labels">Pre-rendered <c>a="x",b="y"</c> (may be empty).</param>
    /// <param name="extra">One more pre-rendered label (e.g. <c>le="0.5"</c>), or null.</param>
    public static void Sample(StringBuilder sb, string name, string labels, string? extra, double value)
    {
        sb.Append(name);
        if (labels.Length > 0 || extra != null)
        {
            sb.Append('{').Append(labels);
            if (extra != null) sb.Append(labels.Length > 0 ? "," : "").Append(extra);
            sb.Append('}');
        }
        sb.Append(' ').Append(PrometheusNaming.FormatValue(value)).Append('\n');
    }

    /// <summary>Renders tags as sorted, sanitised, escaped labels: <c>camera="a",stage="gate"</c>.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var t in tags)
        {
            var name = PrometheusNaming.LabelName(t.Key);
            if (name == "le" || pairs.Exists(p => p.Name == name)) name = "tag_" + name; // keep it unique and legal
            pairs.Add((name, PrometheusNaming.TagValue(t.Value)));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var sb = new StringBuilder();
        foreach (var (n, v) in pairs)
        {
            if (sb.Length > 0) sb.Append(',');
            sb.Append(n).Append("=\"");
            PrometheusNaming.AppendEscapedLabelValue(sb, v);
            sb.Append('"');
        }
        return sb.ToString();
    }
}
