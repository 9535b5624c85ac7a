using System.Net;
using System.Text;
using System.Text.Json;

namespace StreamWatch.IntegrationTests.Support;

/// <summary>
/// A local OpenAI-compatible stand-in on 127.0.0.1 and a free port: every chat completion is answered
/// with <paramref name="content"/> as the assistant's message, like vLLM; with <paramref name="content"/>
/// null every request is taken and never answered (a hung server).
/// </summary>
public sealed class StandInModel : IDisposable
{
    private readonly HttpListener _server = new();
    private readonly List<HttpListenerContext> _held = [];
    private readonly string? _content;
    private int _requests;

    public StandInModel(string? content)
    {
        _content = content;
        Port = FreePort.Get();
        _server.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _server.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";
    /// <summary>Requests received (answered or held).</summary>
    public int Requests => Volatile.Read(ref _requests);

    private async Task ServeAsync()
    {
        while (_server.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _server.GetContextAsync(); }
            catch (Exception) { return; }
            if (_content == null) { lock (_held) _held.Add(ctx); Interlocked.Increment(ref _requests); continue; }
            using (var reader = new StreamReader(ctx.Request.InputStream)) await reader.ReadToEndAsync();
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                id = "chatcmpl-1", @object = "chat.completion", model = "qwen3-vl",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = _content }, finish_reason = "stop" } },
            }));
            ctx.Response.ContentType = "application/json";
            await ctx.Response.OutputStream.WriteAsync(body);
            ctx.Response.Close();
            Interlocked.Increment(ref _requests);
        }
    }

    public void Dispose()
    {
        if (_server.IsListening) _server.Stop();
        _server.Close();
    }
}
