using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace StreamWatch.Tests.Inference.OpenAi;

/// <summary>An HTTP server on 127.0.0.1 (free port) that answers chat completions from a script, like vLLM.</summary>
public sealed class FakeOpenAiServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Func<HttpListenerContext, Task>> _script = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    public FakeOpenAiServer()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Loop);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";
    public ConcurrentQueue<(string Path, string? Authorization, string Body)> Requests { get; } = new();

    public void Answer(string content, string finishReason = "stop") => Raw(200, JsonSerializer.Serialize(new
    {
        id = "chatcmpl-1", @object = "chat.completion", model = "qwen3-vl",
        choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = finishReason } },
    }));

    public void Raw(int status, string body) => _script.Enqueue(async ctx =>
    {
        ctx.Response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(body);
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    });

    /// <summary>Accepts the request and never answers (until the server is disposed).</summary>
    public void Hang() => _script.Enqueue(async ctx => { await _stopped.Task; ctx.Response.Abort(); });

    private async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            Requests.Enqueue((ctx.Request.Url!.AbsolutePath, ctx.Request.Headers["Authorization"], await reader.ReadToEndAsync()));
            var step = _script.TryDequeue(out var s) ? s : (c => { c.Response.StatusCode = 599; c.Response.Close(); return Task.CompletedTask; });
            _ = Task.Run(() => step(ctx));
        }
    }

    public void Dispose()
    {
        _stopped.TrySetResult();
        _listener.Stop();
        _listener.Close();
    }
}
