using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using static StreamWatch.Mqtt.Mosquitto.MosquittoNative;

namespace StreamWatch.Mqtt.Mosquitto;

/// <summary>
/// One libmosquitto client driven by its own thread (mosquitto_loop), so fatal errors (TLS, DNS)
/// are retried too. Callbacks run on that thread; they only copy numbers into a channel and never
/// throw across the native boundary.
/// </summary>
internal sealed unsafe class MosquittoClient : IMqttTransport
{
    private static readonly object InitLock = new();
    private static bool _libInitialised;

    private readonly MqttOptions _options;
    private readonly ChannelWriter<TransportEvent> _events;
    private readonly byte[] _willTopicPayload;
    private readonly ManualResetEventSlim _stopping = new();
    private GCHandle _self;
    private nint _mosq;
    private Thread? _thread;
    private volatile bool _connectedOnce;

    public MosquittoClient(MqttOptions options, ChannelWriter<TransportEvent> events)
    {
        _options = options;
        _events = events;
        _willTopicPayload = "offline"u8.ToArray();
    }

    private int Protocol => _options.ProtocolVersion == 311 ? ProtocolV311 : ProtocolV5;

    public void Start()
    {
        lock (InitLock) { if (!_libInitialised) { LibInit(); _libInitialised = true; } }
        _self = GCHandle.Alloc(this);
        _mosq = New(_options.EffectiveClientId, true, GCHandle.ToIntPtr(_self));
        if (_mosq == 0) throw new InvalidOperationException("mosquitto_new failed");
        Check(IntOption(_mosq, OptProtocolVersion, Protocol), "protocol version");
        Check(ThreadedSet(_mosq, true), "threaded");
        Check(MaxInflightSet(_mosq, (uint)_options.MaxInflight), "max inflight");
        ConnectCallbackSet(_mosq, &OnConnect);
        DisconnectCallbackSet(_mosq, &OnDisconnect);
        PublishV5CallbackSet(_mosq, &OnPublish);
        LogCallbackSet(_mosq, &OnLog);
        fixed (byte* p = _willTopicPayload)
            Check(WillSet(_mosq, Topics.Available(_options.TopicPrefix), _willTopicPayload.Length, p, 1, true), "will");
        if (!string.IsNullOrEmpty(_options.Username))
            Check(UsernamePwSet(_mosq, _options.Username, _options.ResolvePassword()), "credentials");
        var tls = _options.Tls;
        if (tls.Enabled)
        {
            Check(TlsSet(_mosq, tls.CaFile, null, tls.CertFile, tls.KeyFile, 0), "TLS settings");
            Check(TlsInsecureSet(_mosq, !tls.VerifyHostname), "TLS hostname check");
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "mqtt-network" };
        _thread.Start();
    }

    private void Check(int rc, string what)
    {
        if (rc != ErrSuccess) throw new InvalidOperationException($"MQTT {what}: {ErrorText(rc)}");
    }

    private void Run()
    {
        var first = true;
        var delay = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(_options.ReconnectMaxSeconds);
        while (!_stopping.IsSet)
        {
            _connectedOnce = false;
            var rc = first ? Connect(_mosq, _options.Host, _options.Port, _options.KeepAliveSeconds) : Reconnect(_mosq);
            var errno = Marshal.GetLastPInvokeError();
            first = false;
            if (rc == ErrSuccess)
            {
                do rc = Loop(_mosq, 1000, 1);
                while (rc == ErrSuccess && !_stopping.IsSet);
                errno = Marshal.GetLastPInvokeError();
            }
            if (_stopping.IsSet) break;
            if (_connectedOnce) delay = TimeSpan.FromSeconds(1);
            else if (rc != ErrConnRefused) // refusals were reported by the CONNACK callback
                _events.TryWrite(new TransportEvent(TransportEventKind.ConnectFailed, rc, Text: ErrorText(rc, errno)));
            _stopping.Wait(delay); // reconnect backoff, cut short by Stop
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, max.Ticks));
        }
    }

    public PublishResult Publish(string topic, ReadOnlySpan<byte> payload, bool retain, out int mid, out string? error)
    {
        int m = 0, rc;
        fixed (byte* p = payload) rc = MosquittoNative.Publish(_mosq, &m, topic, payload.Length, p, 1, retain);
        mid = m;
        error = null;
        if (rc == ErrSuccess) return PublishResult.Sent;
        // libmosquitto 2.0 keeps a QoS>0 message it could not send yet and sends it after reconnecting.
        if (rc == ErrNoConn && m != 0) return PublishResult.Queued;
        error = ErrorText(rc);
        return PublishResult.Failed;
    }

    public void Stop()
    {
        if (_thread == null || _stopping.IsSet) return;
        _stopping.Set();
        Disconnect(_mosq);
        _thread.Join(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        Stop();
        if (_thread is { IsAlive: true }) return; // a stuck network thread keeps the client (and its callbacks' target) alive
        if (_mosq != 0) { Destroy(_mosq); _mosq = 0; }
        if (_self.IsAllocated) _self.Free();
        _stopping.Dispose();
    }

    private static MosquittoClient? From(nint obj)
    {
        try { return obj == 0 ? null : GCHandle.FromIntPtr(obj).Target as MosquittoClient; }
        catch { return null; }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnConnect(nint mosq, nint obj, int rc)
    {
        try
        {
            if (From(obj) is not { } c) return;
            if (rc == 0) c._connectedOnce = true;
            var text = rc == 0 ? null : ConnackText(rc, c.Protocol);
            c._events.TryWrite(new TransportEvent(rc == 0 ? TransportEventKind.Connected : TransportEventKind.ConnectFailed, rc, Text: text));
        }
        catch { /* never throw into libmosquitto */ }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDisconnect(nint mosq, nint obj, int rc)
    {
        try { From(obj)?._events.TryWrite(new TransportEvent(TransportEventKind.Disconnected, rc)); }
        catch { }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnPublish(nint mosq, nint obj, int mid, int reasonCode, nint props)
    {
        try { From(obj)?._events.TryWrite(new TransportEvent(TransportEventKind.Published, reasonCode, mid)); }
        catch { }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(nint mosq, nint obj, int level, nint text)
    {
        try
        {
            if ((level & (LogWarning | LogErr)) == 0) return;
            From(obj)?._events.TryWrite(new TransportEvent(TransportEventKind.Log, level, Text: Marshal.PtrToStringUTF8(text)));
        }
        catch { }
    }
}
