using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StreamWatch.Core.Cluster;

namespace StreamWatch.Mqtt.MqttNet;

/// <summary>
/// One MQTTnet client with its own reconnect loop (backoff doubling from 1 s). Client callbacks
/// only write events into the publisher's channel; MQTTnet types stay in this folder.
/// </summary>
internal sealed partial class MqttNetTransport : IMqttTransport
{
    private readonly MqttOptions _options;
    private readonly ChannelWriter<TransportEvent> _events;
    private readonly IMqttClient _client;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private int _nextMid;

    public MqttNetTransport(MqttOptions options, ChannelWriter<TransportEvent> events, IPublishFence fence)
    {
        _options = options;
        _events = events;
        _client = new MqttClientFactory().CreateMqttClient(new FencedAdapterFactory(fence));
        _client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected) _lost.TrySetResult();
            return Task.CompletedTask;
        };
    }

    public void Start() => _loop = Task.Run(RunAsync);

    private MqttClientOptions BuildOptions()
    {
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.EffectiveClientId)
            .WithProtocolVersion(_options.ProtocolVersion == 311 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(_options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(_options.AvailabilityTopic)
            .WithWillPayload("offline"u8.ToArray())
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(_options.Username)) b.WithCredentials(_options.Username, _options.ResolvePassword());
        var tls = _options.Tls;
        if (tls.Enabled)
        {
            var validate = tls.ServerValidator();
            b.WithTlsOptions(t =>
            {
                t.UseTls().WithTargetHost(_options.Host).WithCertificateValidationHandler(e => validate(e.Certificate, e.Chain, e.SslPolicyErrors));
                if (tls.LoadClientCertificate() is { } client) t.WithClientCertificates([client]);
            });
        }
        return b.Build();
    }

    private async Task RunAsync()
    {
        var delay = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(_options.ReconnectMaxSeconds);
        var stop = _stopping.Token;
        while (!stop.IsCancellationRequested)
        {
            _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                var r = await _client.ConnectAsync(BuildOptions(), stop);
                if (r.ResultCode == MqttClientConnectResultCode.Success)
                {
                    delay = TimeSpan.FromSeconds(1);
                    _events.TryWrite(new TransportEvent(TransportEventKind.Connected));
                    await _lost.Task.WaitAsync(stop);
                    _events.TryWrite(new TransportEvent(TransportEventKind.Disconnected, 1));
                }
                else _events.TryWrite(new TransportEvent(TransportEventKind.ConnectFailed, (int)r.ResultCode, Text: Words(r.ResultCode, r.ReasonString)));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                _events.TryWrite(new TransportEvent(TransportEventKind.ConnectFailed, Text: Describe(ex)));
            }
            try { await Task.Delay(delay, stop); }
            catch (OperationCanceledException) { break; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, max.Ticks));
        }
    }

    public bool Publish(string topic, byte[] payload, bool retain, out int mid, out string? error)
    {
        mid = Interlocked.Increment(ref _nextMid);
        error = null;
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        Task<MqttClientPublishResult> sent;
        try { sent = _client.PublishAsync(message); }
        catch (Exception ex) when (ex is not MQTTnet.Exceptions.MqttCommunicationException)
        {
            error = ex.Message;
            return false;
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException) { return true; } // not connected: Disconnected follows
        var id = mid;
        _ = sent.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
                _events.TryWrite(new TransportEvent(TransportEventKind.Published, (int)t.Result.ReasonCode, id, t.Result.ReasonString));
            else if (t.Exception?.InnerException is { } ex and not MQTTnet.Exceptions.MqttCommunicationException and not OperationCanceledException and not ObjectDisposedException)
                _events.TryWrite(new TransportEvent(TransportEventKind.Rejected, Mid: id, Text: ex.Message));
        }, TaskScheduler.Default);
        return true;
    }

    public void Stop()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel(); // ends the reconnect loop; publishes already handed over still go out before the DISCONNECT
        try
        {
            if (_client.IsConnected)
                _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build())
                    .Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException) { /* the connection is gone either way */ }
        _loop.Wait(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Stop();
        _client.Dispose();
        _stopping.Dispose();
    }

    /// <summary>The reason a connect failed, readable: TLS failures say TLS; socket errors keep the OS text.</summary>
    private static string Describe(Exception ex)
    {
        for (var e = ex; e != null; e = e.InnerException)
            if (e is AuthenticationException) return "TLS handshake failed: certificate verify failed or refused (" + e.Message + ")";
        var inner = ex;
        while (inner.InnerException != null) inner = inner.InnerException;
        return inner.Message;
    }

    /// <summary>"BadUserNameOrPassword" → "bad user name or password", plus the broker's reason string if any.</summary>
    private static string Words(MqttClientConnectResultCode code, string? reason) =>
        CamelCase().Replace(code.ToString(), " $1").ToLowerInvariant() + (string.IsNullOrEmpty(reason) ? "" : $" ({reason})");

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex CamelCase();
}
