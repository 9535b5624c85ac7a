using StreamWatch.Core.Geometry;

namespace StreamWatch.Core.Config;

/// <summary>What a rule watches for (config: "motion", "zone", "loiter", "direction", any case).</summary>
public enum RuleType { Motion, Zone, Loiter, Direction }

/// <summary>An alert's severity (config: "info", "warning", "critical"); written lower-case in events.</summary>
public enum Severity { Info, Warning, Critical }

/// <summary>Hardware decode preset (config: "none", "nvdec", "vaapi").</summary>
public enum HwAccelPreset { None, Nvdec, Vaapi }

/// <summary>One camera: where its stream comes from and what to watch for in it.</summary>
public sealed class CameraOptions : IValidatable
{
    public string Name { get; set; } = "";
    /// <summary>rtsp://user:pass@host/path, another URL of a <see cref="UrlSchemes">supported scheme</see>, or a file path.</summary>
    public string Url { get; set; } = "";
    public bool Enabled { get; set; } = true;
    /// <summary>Frames per second ffmpeg delivers for analysis.</summary>
    public double AnalysisFps { get; set; } = 5;
    /// <summary>Width of the grey plane motion analysis runs on (height follows the aspect ratio).</summary>
    public int AnalysisWidth { get; set; } = 320;
    /// <summary>Longest side of the image kept for keyframes, snapshots and the model, at most: a
    /// smaller source is never upscaled (the size is min(source, this)).</summary>
    public int InferenceSize { get; set; } = 672;
    /// <summary>Optional hardware decode preset: none, nvdec, vaapi.</summary>
    public HwAccelPreset HwAccel { get; set; } = HwAccelPreset.None;
    /// <summary>No frame for this long kills and restarts ffmpeg.</summary>
    public double StallTimeoutSeconds { get; set; } = 10;
    /// <summary>Loop a file input forever (demo cameras); live streams ignore this.</summary>
    public bool Loop { get; set; }
    /// <summary>Read a file input at its native frame rate, as a live camera would deliver it.</summary>
    public bool Realtime { get; set; } = true;
    /// <summary>Areas motion analysis ignores, each "x1,y1 x2,y2 x3,y3 …" in normalised coordinates.</summary>
    public List<string> Masks { get; set; } = new();
    public List<ZoneOptions> Zones { get; set; } = new();
    /// <summary>Alert snapshots outline the alert's zone and the moving region (Frigate-style).</summary>
    public bool AnnotateSnapshots { get; set; }
    public List<RuleOptions> Rules { get; set; } = new();

    /// <summary>The streams the daemon reads (ffmpeg has many more protocols; these are the ones we run and test). Anything without "://" is a file path.</summary>
    public static readonly string[] UrlSchemes = ["rtsp", "rtsps", "rtmp", "http", "https", "file"];

    public IReadOnlyList<Polygon> MaskPolygons() => Masks.Select(Polygon.Parse).ToList();

    public void Validate(string path, ConfigErrors errors)
    {
        if (string.IsNullOrWhiteSpace(Name)) errors.Add($"{path}:Name", "is required");
        else if (!IsSafeName(Name)) errors.Add($"{path}:Name", "may contain only letters, digits, '_' and '-'");
        if (string.IsNullOrWhiteSpace(Url)) errors.Add($"{path}:Url", "is required");
        else if (!HasSupportedScheme(Url))
            errors.Add($"{path}:Url", $"has a scheme the daemon does not read: use {string.Join("://, ", UrlSchemes)}:// or a file path");
        errors.Range(AnalysisFps, 0.1, 30, $"{path}:AnalysisFps");
        errors.Range(AnalysisWidth, 64, 1280, $"{path}:AnalysisWidth");
        errors.Range(InferenceSize, 64, 4096, $"{path}:InferenceSize");
        errors.Range(StallTimeoutSeconds, 1, 600, $"{path}:StallTimeoutSeconds");
        for (var i = 0; i < Masks.Count; i++)
            CheckPolygon(Masks[i], $"{path}:Masks:{i}", errors);
        var zoneNames = new HashSet<string>();
        for (var i = 0; i < Zones.Count; i++)
        {
            Zones[i].Validate($"{path}:Zones:{i}", errors);
            if (!zoneNames.Add(Zones[i].Name)) errors.Add($"{path}:Zones:{i}:Name", $"duplicate zone '{Zones[i].Name}'");
        }
        var ruleNames = new HashSet<string>();
        for (var i = 0; i < Rules.Count; i++)
        {
            var r = Rules[i];
            r.Validate($"{path}:Rules:{i}", errors);
            if (!ruleNames.Add(r.Name)) errors.Add($"{path}:Rules:{i}:Name", $"duplicate rule '{r.Name}'");
            if (r.Type != RuleType.Motion && !zoneNames.Contains(r.Zone ?? ""))
                errors.Add($"{path}:Rules:{i}:Zone", $"names no zone of this camera ('{r.Zone}')");
        }
    }

    private static bool HasSupportedScheme(string url)
    {
        var i = url.IndexOf("://", StringComparison.Ordinal);
        return i < 0 || UrlSchemes.Contains(url[..i], StringComparer.OrdinalIgnoreCase);
    }

    internal static bool IsSafeName(string s) => s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    internal static void CheckPolygon(string text, string key, ConfigErrors errors)
    {
        try { Polygon.Parse(text); }
        catch (FormatException e) { errors.Add(key, e.Message); }
    }
}

/// <summary>A named area of the image that rules refer to.</summary>
public sealed class ZoneOptions : IValidatable
{
    public string Name { get; set; } = "";
    /// <summary>"x1,y1 x2,y2 x3,y3 …" in normalised coordinates.</summary>
    public string Polygon { get; set; } = "";

    public void Validate(string path, ConfigErrors errors)
    {
        if (string.IsNullOrWhiteSpace(Name) || !CameraOptions.IsSafeName(Name)) errors.Add($"{path}:Name", "is required (letters, digits, '_' and '-')");
        CameraOptions.CheckPolygon(Polygon, $"{path}:Polygon", errors);
    }
}

/// <summary>
/// A rule that turns motion into alerts. Types: <c>motion</c> (any gated motion), <c>zone</c>
/// (motion inside a zone), <c>loiter</c> (motion in a zone longer than Seconds), <c>direction</c>
/// (flow in a zone against AllowedDirection ± ToleranceDegrees).
/// </summary>
public sealed class RuleOptions : IValidatable
{
    public string Name { get; set; } = "";
    public RuleType Type { get; set; } = RuleType.Zone;
    public string? Zone { get; set; }
    /// <summary>loiter: how long motion must persist in the zone.</summary>
    public double Seconds { get; set; } = 10;
    /// <summary>direction: allowed direction of travel in degrees (0 = right, 90 = down).</summary>
    public double AllowedDirection { get; set; }
    public double ToleranceDegrees { get; set; } = 60;
    /// <summary>zone, loiter, direction: share of the zone's cells that must be active (at least one cell).</summary>
    public double MinActiveFraction { get; set; }
    public Severity Severity { get; set; } = Severity.Warning;
    /// <summary>After an alert of this rule ends, new ones are suppressed for this long.</summary>
    public double CooldownSeconds { get; set; } = 30;
    /// <summary>An open alert ends after this long without a trigger.</summary>
    public double EndAfterSeconds { get; set; } = 5;
    /// <summary>Prompt profile the model uses for this rule (empty: no model).</summary>
    public string? Profile { get; set; }
    /// <summary>Publish only after the model confirms (true) or publish on motion and enrich (false).</summary>
    public bool RequireVerification { get; set; }

    public void Validate(string path, ConfigErrors errors)
    {
        if (string.IsNullOrWhiteSpace(Name) || !CameraOptions.IsSafeName(Name)) errors.Add($"{path}:Name", "is required (letters, digits, '_' and '-')");
        if (!Enum.IsDefined(Type)) errors.Add($"{path}:Type", ConfigErrors.OneOf<RuleType>());
        if (!Enum.IsDefined(Severity)) errors.Add($"{path}:Severity", ConfigErrors.OneOf<Severity>());
        errors.Range(Seconds, 0, 86400, $"{path}:Seconds");
        errors.Range(AllowedDirection, -360, 360, $"{path}:AllowedDirection");
        errors.Range(ToleranceDegrees, 1, 180, $"{path}:ToleranceDegrees");
        errors.Range(MinActiveFraction, 0, 1, $"{path}:MinActiveFraction");
        if (RequireVerification && string.IsNullOrWhiteSpace(Profile))
            errors.Add($"{path}:RequireVerification", "needs a Profile: without a model nothing would ever be published");
        errors.Range(CooldownSeconds, 0, 86400, $"{path}:CooldownSeconds");
        errors.Range(EndAfterSeconds, 0.1, 3600, $"{path}:EndAfterSeconds");
    }
}
