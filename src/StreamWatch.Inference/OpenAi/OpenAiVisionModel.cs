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
/// profile's JSON schema. With several servers (Model:OpenAi:BaseUrls) each attempt goes to the healthy
/// one with the fewest outstanding requests (<see cref="EndpointPool"/>); each server has its own
/// circuit breaker that takes it out after repeated failed attempts and tries it again later.
/// Transport failures (5xx, 429, timeouts, connection errors) are retried with bounded exponential
/// backoff, on another server when there is one. Every failure
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
    private readonly Uri[] _endpoints;
    private readonly EndpointPool _pool;

    public OpenAiVisionModel(OpenAiOptions options, IReadOnlyDictionary<string, PromptProfile> profiles, IJpegEncoder jpeg, int maxTokens,
        ILogger log, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        (_options, _profiles, _jpeg, _maxTokens, _log, _time) = (options, profiles, jpeg, maxTokens, log, time ?? TimeProvider.System);
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = Timeout.InfiniteTimeSpan;                  // per attempt, below
        _apiKey = options.ResolveApiKey();
        _endpoints = options.Endpoints.Select(u => new Uri(u.TrimEnd('/') + "/chat/completions")).ToArray();
        _pool = new EndpointPool(_endpoints.Length, options.CircuitBreakerFailures, TimeSpan.FromSeconds(options.CircuitBreakerSeconds));
    }

    public string Name => "openai:" + _options.Model;

    public async Task<Verdict> JudgeAsync(VerdictRequest request, CancellationToken cancellationToken)
    {
        if (!_profiles.TryGetValue(request.Profile, out var profile)) throw Fail("bad_request", $"unknown profile '{request.Profile}'");

        var started = Stopwatch.GetTimestamp();
        var body = OpenAiRequest.Body(_options.Model, _maxTokens, profile, request, _jpeg, _options.JpegQuality);
        int? last = null;
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                var delay = Math.Min(_options.RetryMaxDelaySeconds, _options.RetryBaseDelaySeconds * Math.Pow(2, attempt - 1));
                if (delay > 0) await Task.Delay(TimeSpan.FromSeconds(delay), _time, cancellationToken);
            }
            if (_pool.Acquire(_time.GetUtcNow(), avoid: last) is not { } ep)
                throw Fail("circuit_open", $"{Name}: circuit breaker open after repeated failures on every server");
            last = ep;
            bool? ok = null;
            try
            {
                var sent = Stopwatch.GetTimestamp();
                var (answer, reason, error) = await SendAsync(body, _endpoints[ep], cancellationToken);
                StreamWatchMetrics.ModelRequestTime.Record(Stopwatch.GetElapsedTime(sent).TotalSeconds, new KeyValuePair<string, object?>("backend", "openai"));
                if (answer != null)
                {
                    var errors = JsonSchemaValidator.Validate(profile.Schema, answer);
                    ok = errors.Count == 0; // a server answering off-schema counts against it too
                    return Judge(answer, errors, profile, started);
                }
                ok = false;
                var retryable = reason is "timeout" or "transport" or "http_5xx" or "http_429";
                if (!retryable || attempt >= _options.Retries) throw Fail(reason!, $"{Name}: {error} (after {attempt + 1} attempt(s))");
                _log.LogWarning("{Model}: attempt {Attempt} on {Server} failed: {Error}; retrying", Name, attempt + 1, Server(ep), error);
            }
            finally { Track(ep, ok); }
        }
    }

    /// <summary>Ends the attempt in the pool and logs a server going out or coming back.</summary>
    private void Track(int ep, bool? ok)
    {
        switch (_pool.Complete(ep, ok, _time.GetUtcNow()))
        {
            case EndpointPool.Change.Opened:
                _log.LogError("{Model}: {Server} failed {Failures} times in a row; circuit open for {Seconds} s", Name, Server(ep),
                    _options.CircuitBreakerFailures, _options.CircuitBreakerSeconds);
                break;
            case EndpointPool.Change.Closed:
                _log.LogInformation("{Model}: {Server} answers again; circuit closed", Name, Server(ep));
                break;
        }
    }

    /// <summary>host:port only, so a URL carrying credentials is never logged.</summary>
    private string Server(int ep) => $"{_endpoints[ep].Host}:{_endpoints[ep].Port}";

    private async Task<(string? Content, string? Reason, string? Error)> SendAsync(byte[] body, Uri endpoint, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        using var msg = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
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

    private Verdict Judge(string content, IReadOnlyList<string> errors, PromptProfile profile, long started)
    {
        if (errors.Count > 0)
            throw Fail(errors[0].Contains("not JSON") ? "not_json" : "invalid", $"{Name}: answer fails the '{profile.Name}' schema: {string.Join("; ", errors.Take(3))}; answer: {OpenAiRequest.Snippet(content)}");
        StreamWatchMetrics.ModelRequests.Add(1, new("backend", "openai"), new("outcome", "ok"));
        return VerdictParser.Parse(content, Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private ModelAnswerException Fail(string reason, string message)
    {
        StreamWatchMetrics.ModelRequests.Add(1, new("backend", "openai"), new("outcome", reason));
        _log.LogWarning("{Message}", message);
        return new ModelAnswerException(reason, message);
    }

    public void Dispose() => _http.Dispose();
}
