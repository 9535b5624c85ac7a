using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Telemetry;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference.Json;
using StreamWatch.Inference.Profiles;

namespace StreamWatch.Inference.OpenAi;

/// <summary>
/// A vision model behind an OpenAI-compatible chat API (vLLM, llama-server, Ollama). Keyframes go as
/// JPEG data URLs, each after its timestamp; the answer is requested and checked against the
/// profile's JSON schema. Transport failures (5xx, 429, timeouts, connection errors) are retried with
/// bounded exponential backoff; a circuit breaker stops calls after repeated failures. Every failure
/// is counted (model_requests{backend="openai",outcome}) and thrown as <see cref="ModelAnswerException"/>.
/// The API key is sent only as a bearer header and never logged.
/// </summary>
public sealed class OpenAiVisionModel : IVisionModel, IDisposable
{
    private readonly OpenAiOptions _options;
    private readonly IReadOnlyDictionary<string, PromptProfile> _profiles;
    private readonly IJpegEncoder _jpeg;
    private readonly int _maxTokens;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly string? _apiKey;
    private readonly Uri _endpoint;
    private readonly object _gate = new();
    private int _consecutiveFailures;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;

    public OpenAiVisionModel(OpenAiOptions options, IReadOnlyDictionary<string, PromptProfile> profiles, IJpegEncoder jpeg, int maxTokens,
        ILogger log, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        (_options, _profiles, _jpeg, _maxTokens, _log, _time) = (options, profiles, jpeg, maxTokens, log, time ?? TimeProvider.System);
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = Timeout.InfiniteTimeSpan;                  // per attempt, below
        _apiKey = options.ResolveApiKey();
        _endpoint = new Uri(options.BaseUrl.TrimEnd('/') + "/chat/completions");
    }

    public string Name => "openai:" + _options.Model;

    public async Task<Verdict> JudgeAsync(VerdictRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
            if (_time.GetUtcNow() < _openUntil) throw Fail("circuit_open", "circuit breaker open after repeated failures", count: false);
        if (!_profiles.TryGetValue(request.Profile, out var profile)) throw Fail("bad_request", $"unknown profile '{request.Profile}'", count: false);

        var started = Stopwatch.GetTimestamp();
        var body = OpenAiRequest.Body(_options.Model, _maxTokens, profile, request, _jpeg, _options.JpegQuality);
        string? lastError = null;
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                var delay = Math.Min(_options.RetryMaxDelaySeconds, _options.RetryBaseDelaySeconds * Math.Pow(2, attempt - 1));
                if (delay > 0) await Task.Delay(TimeSpan.FromSeconds(delay), _time, cancellationToken);
            }
            var sent = Stopwatch.GetTimestamp();
            var (answer, reason, error) = await SendAsync(body, cancellationToken);
            StreamWatchMetrics.ModelRequestTime.Record(Stopwatch.GetElapsedTime(sent).TotalSeconds, new KeyValuePair<string, object?>("backend", "openai"));
            if (answer != null) return Judge(answer, profile, started);
            lastError = error;
            var retryable = reason is "timeout" or "transport" or "http_5xx" or "http_429";
            if (!retryable || attempt >= _options.Retries) throw Fail(reason!, $"{Name}: {lastError} (after {attempt + 1} attempt(s))");
            _log.LogWarning("{Model}: attempt {Attempt} failed: {Error}; retrying", Name, attempt + 1, lastError);
        }
    }

    private async Task<(string? Content, string? Reason, string? Error)> SendAsync(byte[] body, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var msg = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        msg.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!string.IsNullOrEmpty(_apiKey)) msg.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        try
        {
            using var resp = await _http.SendAsync(msg, HttpCompletionOption.ResponseContentRead, linked.Token);
            var text = await resp.Content.ReadAsStringAsync(linked.Token);
            if (resp.StatusCode == HttpStatusCode.TooManyRequests) return (null, "http_429", "HTTP 429");
            if ((int)resp.StatusCode >= 500) return (null, "http_5xx", $"HTTP {(int)resp.StatusCode}");
            if (!resp.IsSuccessStatusCode) return (null, "http_4xx", $"HTTP {(int)resp.StatusCode}: {OpenAiRequest.Snippet(text)}");
            var (content, failure) = OpenAiRequest.Content(text);
            return content != null ? (content, null, null) : (null, failure, $"answer {failure}: {OpenAiRequest.Snippet(text)}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "timeout", $"no answer within {_options.TimeoutSeconds} s");
        }
        catch (HttpRequestException e)
        {
            return (null, "transport", e.HttpRequestError.ToString());
        }
    }

    private Verdict Judge(string content, PromptProfile profile, long started)
    {
        var errors = JsonSchemaValidator.Validate(profile.Schema, content);
        if (errors.Count > 0)
            throw Fail(errors[0].Contains("not JSON") ? "not_json" : "invalid", $"{Name}: answer fails the '{profile.Name}' schema: {string.Join("; ", errors.Take(3))}; answer: {OpenAiRequest.Snippet(content)}");
        lock (_gate) _consecutiveFailures = 0;
        StreamWatchMetrics.ModelRequests.Add(1, new("backend", "openai"), new("outcome", "ok"));
        return VerdictParser.Parse(content, Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private ModelAnswerException Fail(string reason, string message, bool count = true)
    {
        StreamWatchMetrics.ModelRequests.Add(1, new("backend", "openai"), new("outcome", reason));
        if (count)
            lock (_gate)
                if (++_consecutiveFailures >= _options.CircuitBreakerFailures)
                {
                    _openUntil = _time.GetUtcNow().AddSeconds(_options.CircuitBreakerSeconds);
                    _consecutiveFailures = 0;
                    _log.LogError("{Model}: {Failures} consecutive failures; circuit open for {Seconds} s", Name, _options.CircuitBreakerFailures, _options.CircuitBreakerSeconds);
                }
        _log.LogWarning("{Message}", message);
        return new ModelAnswerException(reason, message);
    }

    public void Dispose() => _http.Dispose();
}
