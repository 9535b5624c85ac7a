namespace StreamWatch.Mqtt;

/// <summary>What the client reports; the publisher handles these on its own task.</summary>
internal enum TransportEventKind { Connected, ConnectFailed, Disconnected, Published, Rejected, Wake, Stop }

/// <param name="Code">CONNACK result or PUBACK reason code; for Disconnected, 0 after a clean stop.</param>
/// <param name="Mid">The id Publish returned, for Published and Rejected.</param>
internal readonly record struct TransportEvent(TransportEventKind Kind, int Code = 0, int Mid = 0, string? Text = null);

/// <summary>The small publisher seam the MQTTnet adapter implements (QoS 1 only).</summary>
internal interface IMqttTransport : IDisposable
{
    /// <summary>Connects (and keeps reconnecting with backoff) in the background.</summary>
    void Start();
    /// <summary>
    /// QoS 1 publish, sent in call order. True gives an id that a later Published (PUBACK) or
    /// Rejected event reports; a publish cut off by a lost connection reports neither (Disconnected
    /// comes instead, and the caller resends). False: the client refused it outright (error says why).
    /// </summary>
    bool Publish(string topic, byte[] payload, bool retain, out int mid, out string? error);
    /// <summary>Clean DISCONNECT (no Last Will) and stops reconnecting.</summary>
    void Stop();
}
