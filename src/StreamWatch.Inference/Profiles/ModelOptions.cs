using StreamWatch.Core.Config;
using StreamWatch.Inference.Json;
using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Profiles;

/// <summary>Which vision-language model answers (config: "none", "onnx", "openai").</summary>
public enum ModelBackend { None, Onnx, OpenAi }

/// <summary>Configuration section "Model".</summary>
public sealed class ModelOptions : IValidatable
{
    public const string Section = "Model";

    /// <summary>"none" (rules only), "onnx" (in-process ONNX Runtime) or "openai" (an OpenAI-compatible server).</summary>
    public ModelBackend Backend { get; set; } = ModelBackend.None;
    /// <summary>Pixel cap per keyframe for the in-process model (262 144 → 1080p becomes 672×384, 252 tokens).</summary>
    public int MaxPixels { get; set; } = 262_144;
    public int MaxNewTokens { get; set; } = 256;
    /// <summary>Overrides of built-in profiles (security, actions, sports) and custom profiles by name.</summary>
    public Dictionary<string, ProfileOptions> Profiles { get; set; } = new(StringComparer.Ordinal);
    public SchedulerOptions Scheduler { get; set; } = new();
    public OpenAiOptions OpenAi { get; set; } = new();
    public OnnxOptions Onnx { get; set; } = new();

    public void Validate(string path, ConfigErrors errors)
    {
        errors.Require(Enum.IsDefined(Backend), $"{path}:Backend", ConfigErrors.OneOf<ModelBackend>());
        errors.Range(MaxPixels, 65_536, 16_777_216, $"{path}:MaxPixels");
        errors.Range(MaxNewTokens, 16, 4096, $"{path}:MaxNewTokens");
        foreach (var (name, p) in Profiles) p.Validate($"{path}:Profiles:{name}", errors);
        foreach (var (name, p) in PromptProfiles.Resolve(this))
        {
            try { _ = p.Program; }
            catch (FormatException e) { errors.Add($"{path}:Profiles:{name}:Schema", e.Message); continue; }
            var label = p.Schema.Properties.FirstOrDefault(x => x.Key == "label").Value;
            errors.Require(label is { Kind: SchemaKind.String } && p.Schema.Required.Contains("label"), $"{path}:Profiles:{name}:Schema", "must require a string property 'label'");
        }
        Scheduler.Validate($"{path}:Scheduler", errors);
        if (Backend == ModelBackend.OpenAi) OpenAi.Validate($"{path}:OpenAi", errors);
        if (Backend == ModelBackend.Onnx) Onnx.Validate($"{path}:Onnx", errors);
    }
}

/// <summary>Overrides for one profile; a new name needs System, Question and Schema.</summary>
public sealed class ProfileOptions : IValidatable
{
    public string? System { get; set; }
    public string? Question { get; set; }
    /// <summary>JSON Schema text (the supported subset: see <see cref="JsonSchema"/>).</summary>
    public string? Schema { get; set; }
    /// <summary>Label set for the "actions" profile.</summary>
    public string[]? Labels { get; set; }

    public void Validate(string path, ConfigErrors errors)
    {
        var builtIn = path.EndsWith(":security") || path.EndsWith(":actions") || path.EndsWith(":sports");
        errors.Require(builtIn || (System != null && Question != null && Schema != null), path, "a custom profile needs System, Question and Schema");
        errors.Require(Labels is null || (Labels.Length is > 0 and <= 64 && Labels.All(l => !string.IsNullOrWhiteSpace(l))), $"{path}:Labels", "must list 1 to 64 non-empty labels");
    }
}

/// <summary>Section "Model:Scheduler": the shared queue in front of the model.</summary>
public sealed class SchedulerOptions : IValidatable
{
    public int QueueCapacity { get; set; } = 32;
    public int Concurrency { get; set; } = 1;

    public void Validate(string path, ConfigErrors errors)
    {
        errors.Range(QueueCapacity, 1, 10_000, $"{path}:QueueCapacity");
        errors.Range(Concurrency, 1, 64, $"{path}:Concurrency");
    }
}
