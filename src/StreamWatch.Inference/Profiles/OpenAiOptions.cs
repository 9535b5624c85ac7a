using StreamWatch.Core.Config;

namespace StreamWatch.Inference.Profiles;

/// <summary>Section "Model:OpenAi": an OpenAI-compatible chat server (vLLM, llama-server, Ollama).</summary>
public sealed class OpenAiOptions : IValidatable
{
    /// <summary>Base URL up to and including /v1, e.g. http://127.0.0.1:8000/v1.</summary>
    public string BaseUrl { get; set; } = "";
    /// <summary>Several servers of one model tier instead of BaseUrl: each request goes to the healthy one with the fewest outstanding requests.</summary>
    public List<string> BaseUrls { get; set; } = [];
    public string Model { get; set; } = "";
    /// <summary>Exactly one of ApiKey, ApiKeyFile, ApiKeyEnv may be set (or none for servers without keys).</summary>
    public string? ApiKey { get; set; }
    public string? ApiKeyFile { get; set; }
    public string? ApiKeyEnv { get; set; }
    public double TimeoutSeconds { get; set; } = 30;
    public int Retries { get; set; } = 2;
    public double RetryBaseDelaySeconds { get; set; } = 0.5;
    public double RetryMaxDelaySeconds { get; set; } = 8;
    public int CircuitBreakerFailures { get; set; } = 5;
    public double CircuitBreakerSeconds { get; set; } = 30;
    public int JpegQuality { get; set; } = 85;

    public void Validate(string path, ConfigErrors errors)
    {
        if (BaseUrls.Count == 0) errors.Require(IsHttpUrl(BaseUrl), $"{path}:BaseUrl", "must be an absolute http(s) URL");
        else
        {
            errors.Require(string.IsNullOrEmpty(BaseUrl), $"{path}:BaseUrl", "set BaseUrl or BaseUrls, not both");
            for (var i = 0; i < BaseUrls.Count; i++) errors.Require(IsHttpUrl(BaseUrls[i]), $"{path}:BaseUrls:{i}", "must be an absolute http(s) URL");
        }
        errors.Require(!string.IsNullOrWhiteSpace(Model), $"{path}:Model", "must name the served model");
        Secret.Validate(errors, path, "ApiKey", ApiKey, ApiKeyFile, ApiKeyEnv);
        errors.Range(TimeoutSeconds, 0.1, 600, $"{path}:TimeoutSeconds");
        errors.Range(Retries, 0, 10, $"{path}:Retries");
        errors.Range(RetryBaseDelaySeconds, 0, 60, $"{path}:RetryBaseDelaySeconds");
        errors.Range(RetryMaxDelaySeconds, RetryBaseDelaySeconds, 600, $"{path}:RetryMaxDelaySeconds");
        errors.Range(CircuitBreakerFailures, 1, 1000, $"{path}:CircuitBreakerFailures");
        errors.Range(CircuitBreakerSeconds, 0, 3600, $"{path}:CircuitBreakerSeconds");
        errors.Range(JpegQuality, 1, 100, $"{path}:JpegQuality");
    }

    /// <summary>The configured servers: BaseUrls, or the one BaseUrl.</summary>
    public IReadOnlyList<string> Endpoints => BaseUrls.Count > 0 ? BaseUrls : [BaseUrl];

    private static bool IsHttpUrl(string? s) => Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Scheme is "http" or "https";

    /// <summary>The API key from config, file (first line) or environment; null when none is configured.</summary>
    public string? ResolveApiKey() => Secret.Resolve(ApiKey, ApiKeyFile, ApiKeyEnv);
}
