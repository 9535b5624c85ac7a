using StreamWatch.Core.Config;

namespace StreamWatch.Inference.Ort;

/// <summary>How the in-process ONNX Runtime is loaded and runs (config section <c>Ort</c>).</summary>
public sealed class OrtOptions : IValidatable
{
    /// <summary>Full path of libonnxruntime.so.1; empty: native/libonnxruntime.so.1 next to the app or in the repository.</summary>
    public string LibraryPath { get; set; } = "";
    /// <summary>"cpu" or "cuda" (falls back to CPU, with a log line saying why, when CUDA is unavailable).</summary>
    public string Provider { get; set; } = "cpu";
    public int DeviceId { get; set; }
    /// <summary>CUDA arena limit in bytes; 0 = no limit.</summary>
    public long GpuMemLimitBytes { get; set; }
    /// <summary>Intra-op threads per session; 0 = ORT's default (one per core).</summary>
    public int IntraOpThreads { get; set; }

    public bool WantsCuda => string.Equals(Provider, "cuda", StringComparison.OrdinalIgnoreCase);

    public void Validate(string path, ConfigErrors errors)
    {
        errors.Require(Provider is not null && (Provider.Equals("cpu", StringComparison.OrdinalIgnoreCase) || WantsCuda),
            $"{path}:Provider", $"must be \"cpu\" or \"cuda\" (got \"{Provider}\")");
        errors.Require(DeviceId >= 0, $"{path}:DeviceId", $"must be >= 0 (got {DeviceId})");
        errors.Require(GpuMemLimitBytes >= 0, $"{path}:GpuMemLimitBytes", $"must be >= 0 (got {GpuMemLimitBytes})");
        errors.Range(IntraOpThreads, 0, 256, $"{path}:IntraOpThreads");
        errors.Require(LibraryPath is not null, $"{path}:LibraryPath", "must be a path or empty");
    }

    /// <summary>The library to load: <see cref="LibraryPath"/>, else native/libonnxruntime.so.1 in the app folder or a parent (the repository).</summary>
    public string ResolveLibraryPath()
    {
        if (!string.IsNullOrWhiteSpace(LibraryPath)) return Path.GetFullPath(LibraryPath);
        const string rel = "native/libonnxruntime.so.1";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, rel);
            if (File.Exists(p)) return p;
        }
        return Path.Combine(AppContext.BaseDirectory, rel);
    }
}
