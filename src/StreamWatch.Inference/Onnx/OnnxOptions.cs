using StreamWatch.Core.Config;

namespace StreamWatch.Inference.Onnx;

/// <summary>Where ONNX Runtime runs a session (config: "cpu", "cuda").</summary>
public enum ExecutionProvider { Cpu, Cuda }

public static class ExecutionProviderText
{
    /// <summary>The provider as config, logs and model check write it: "cpu", "cuda".</summary>
    public static string Text(this ExecutionProvider p) => p switch
    {
        ExecutionProvider.Cpu => "cpu",
        ExecutionProvider.Cuda => "cuda",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };
}

/// <summary>The in-process backend (config section <c>Model:Onnx</c>): the model folder, its tokenizer, and where and how ONNX Runtime runs it.</summary>
public sealed class OnnxOptions : IValidatable
{
    /// <summary>The Qwen3-VL ONNX export (onnxruntime-genai/Olive or onnx-community layout); required for Model:Backend "onnx".</summary>
    public string ModelDirectory { get; set; } = "";
    /// <summary>tokenizer.json; empty: the one in <see cref="ModelDirectory"/>, else native/qwen3/tokenizer.json next to the app or in the repository.</summary>
    public string TokenizerPath { get; set; } = "";
    /// <summary>"cpu" or "cuda" (falls back to CPU, with a log line saying why, when CUDA is unavailable).</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Cpu;
    public int DeviceId { get; set; }
    /// <summary>CUDA arena limit in bytes; 0 = no limit.</summary>
    public long GpuMemLimitBytes { get; set; }
    /// <summary>Intra-op threads per session; 0 = ORT's default (one per core).</summary>
    public int IntraOpThreads { get; set; }

    public bool WantsCuda => Provider == ExecutionProvider.Cuda;

    public void Validate(string path, ConfigErrors errors)
    {
        errors.Require(Enum.IsDefined(Provider), $"{path}:Provider", ConfigErrors.OneOf<ExecutionProvider>());
        errors.Require(DeviceId >= 0, $"{path}:DeviceId", $"must be >= 0 (got {DeviceId})");
        errors.Require(GpuMemLimitBytes >= 0, $"{path}:GpuMemLimitBytes", $"must be >= 0 (got {GpuMemLimitBytes})");
        errors.Range(IntraOpThreads, 0, 256, $"{path}:IntraOpThreads");
        if (string.IsNullOrWhiteSpace(ModelDirectory)) errors.Add($"{path}:ModelDirectory", "is required for the onnx backend");
        else errors.Require(Directory.Exists(ModelDirectory), $"{path}:ModelDirectory", $"directory '{ModelDirectory}' does not exist");
        if (!string.IsNullOrWhiteSpace(TokenizerPath)) errors.Require(File.Exists(TokenizerPath), $"{path}:TokenizerPath", $"file '{TokenizerPath}' does not exist");
    }

    /// <summary>The tokenizer to load: <see cref="TokenizerPath"/>, else tokenizer.json in the model folder, else native/qwen3/tokenizer.json.</summary>
    public string ResolveTokenizerPath()
    {
        if (!string.IsNullOrWhiteSpace(TokenizerPath)) return Path.GetFullPath(TokenizerPath);
        var inModel = Path.Combine(ModelDirectory, "tokenizer.json");
        return File.Exists(inModel) ? Path.GetFullPath(inModel) : FindNative("native/qwen3/tokenizer.json");
    }

    private static string FindNative(string rel)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, rel);
            if (File.Exists(p)) return p;
        }
        return Path.Combine(AppContext.BaseDirectory, rel);
    }
}
