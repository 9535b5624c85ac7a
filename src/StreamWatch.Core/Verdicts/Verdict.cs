using StreamWatch.Core.Keyframes;

namespace StreamWatch.Core.Verdicts;

/// <summary>What the pipeline asks a vision-language model about one event.</summary>
public sealed record VerdictRequest(
    string Camera,
    string Rule,
    string Profile,
    IReadOnlyList<Keyframe> Keyframes,
    DateTimeOffset Deadline);

/// <summary>A model's answer, already checked against the profile's schema.</summary>
public sealed record Verdict(
    string Label,
    double Confidence,
    string Severity,
    string Description,
    bool Anomaly,
    TimeSpan? From,
    TimeSpan? To,
    string Model,
    string RawJson,
    double LatencyMs);

/// <summary>A model backend (in-process ONNX Runtime or an OpenAI-compatible server).</summary>
public interface IVisionModel
{
    string Name { get; }
    Task<Verdict> JudgeAsync(VerdictRequest request, CancellationToken cancellationToken);
}
