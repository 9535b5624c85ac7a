namespace StreamWatch.Mqtt;

/// <summary>What the client's network thread reports; the publisher handles these on its own task.</summary>
internal enum TransportEventKind { Connected, ConnectFailed, Disconnected, Published, Log, Wake, Stop }

/// <param name="Code">CONNACK/reason code, libmosquitto error, or PUBACK reason code.</param>
internal readonly record struct TransportEvent(TransportEventKind Kind, int Code = 0, int Mid = 0, string? Text = null);

internal enum PublishResult { Sent, Queued, Failed }

/// <summary>The small publisher seam the libmosquitto adapter implements (QoS 1 only).</summary>
internal interface IMqttTransport : IDisposable
{
    /// <summary>Connects (and keeps reconnecting with backoff) on the transport's own thread.</summary>
    void Start();
    /// <summary>QoS 1 publish. Sent/Queued give a message id that a later Published event acknowledges.</summary>
    PublishResult Publish(string topic, ReadOnlySpan<byte> payload, bool retain, out int mid, out string? error);
    /// <summary>Clean DISCONNECT (no Last Will) and stops the network thread.</summary>
    void Stop();
}
