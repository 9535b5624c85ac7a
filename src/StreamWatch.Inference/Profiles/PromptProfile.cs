using StreamWatch.Inference.Json;

namespace StreamWatch.Inference.Profiles;

/// <summary>What to ask the model and the JSON shape of its answer.</summary>
public sealed record PromptProfile(string Name, string System, string Question, string SchemaJson)
{
    private (string Json, SchemaProgram Program)? _compiled;   // keyed by the text, so `with { SchemaJson = … }` recompiles

    /// <summary>The parsed, compiled schema (throws <see cref="FormatException"/> for a bad schema).</summary>
    public SchemaProgram Program
    {
        get
        {
            if (_compiled is { } c && ReferenceEquals(c.Json, SchemaJson)) return c.Program;
            var program = SchemaProgram.Compile(JsonSchema.Parse(SchemaJson));
            _compiled = (SchemaJson, program);
            return program;
        }
    }

    public SchemaNode Schema => Program.Schema;
}

/// <summary>The built-in profiles and their merge with the "Model:Profiles" configuration.</summary>
public static class PromptProfiles
{
    public static readonly string[] DefaultActionLabels = ["walking", "running", "standing", "sitting", "lying", "falling", "fighting", "carrying", "none"];

    private const string Times =
        ",'start':{'type':'string','maxLength':12,'description':'HH:MM:SS.sss of the first keyframe showing it'}" +
        ",'end':{'type':'string','maxLength':12,'description':'HH:MM:SS.sss of the last keyframe showing it'}";

    public static PromptProfile Security => new("security",
        "You are a security camera monitor. You judge short sequences of keyframes and answer only with JSON.",
        "Each image is preceded by its stream time t=HH:MM:SS.sss. Is anything abnormal happening (a fall, intrusion, loitering, an abandoned object, a fight, fire or smoke, vandalism)? " +
        "Describe what you see briefly, classify it, and give start and end as keyframe times. Use label none and anomaly false when nothing is wrong.",
        Schema("'label':{'type':'string','enum':['fall','intrusion','loitering','abandoned_object','fight','fire_smoke','vandalism','none']},'anomaly':{'type':'boolean'}," +
               "'severity':{'type':'string','enum':['info','warning','critical']},'confidence':{'type':'number','minimum':0,'maximum':1}" + Times));

    public static PromptProfile Actions(IReadOnlyList<string> labels) => new("actions",
        "You recognise human actions in camera keyframes and answer only with JSON.",
        $"Each image is preceded by its stream time t=HH:MM:SS.sss. Which action is the main person performing? Choose one of: {string.Join(", ", labels)}.",
        Schema("'label':{'type':'string','enum':" + System.Text.Json.JsonSerializer.Serialize(labels) + "},'confidence':{'type':'number','minimum':0,'maximum':1}" + Times));

    public static PromptProfile Sports => new("sports",
        "You analyse sports footage keyframes and answer only with JSON.",
        "Each image is preceded by its stream time t=HH:MM:SS.sss. What is the key event (a shot, goal, foul, pass, save, rebound or none)? If it is a shot, say whether it was made or missed, and give its time.",
        Schema("'label':{'type':'string','enum':['shot','goal','foul','pass','save','rebound','none']},'outcome':{'type':'string','enum':['made','missed','n/a']}," +
               "'confidence':{'type':'number','minimum':0,'maximum':1},'time':{'type':'string','maxLength':12}"));

    /// <summary>
    /// Object schema (properties written with single quotes, no apostrophes inside) with a short
    /// description first — the model describes, then decides — then the given properties, all required.
    /// </summary>
    private static string Schema(string properties)
    {
        var all = ("'description':{'type':'string','maxLength':200}," + properties).Replace('\'', '"');
        var names = System.Text.RegularExpressions.Regex.Matches(all, "\"(\\w+)\":\\{\"type\"").Select(m => $"\"{m.Groups[1].Value}\"");
        return $$"""{"type":"object","properties":{{{all}}},"required":[{{string.Join(",", names)}}],"additionalProperties":false}""";
    }

    /// <summary>Built-ins with configured overrides applied, plus "custom" when configured.</summary>
    public static IReadOnlyDictionary<string, PromptProfile> Resolve(ModelOptions options)
    {
        options.Profiles.TryGetValue("actions", out var act);
        var result = new Dictionary<string, PromptProfile>(StringComparer.Ordinal)
        {
            ["security"] = Security,
            ["actions"] = Actions(act?.Labels is { Length: > 0 } l ? l : DefaultActionLabels),
            ["sports"] = Sports,
        };
        foreach (var (name, o) in options.Profiles)
        {
            if (result.TryGetValue(name, out var p))
                result[name] = p with { System = o.System ?? p.System, Question = o.Question ?? p.Question, SchemaJson = o.Schema ?? p.SchemaJson };
            else if (o.System != null && o.Question != null && o.Schema != null)
                result[name] = new PromptProfile(name, o.System, o.Question, o.Schema);
        }
        return result;
    }
}
