using System.Diagnostics.Metrics;
using StreamWatch.Core.Telemetry;

namespace StreamWatch.Mqtt;

/// <summary>Observable gauges for the running MQTT publisher (registered once, read the latest values).</summary>
internal static class MqttGauges
{
    private static long _outboxDepth;
    private static int _connected;
    private static readonly object Once = Register();

    public static void Set(long outboxDepth, bool connected)
    {
        _ = Once;
        Interlocked.Exchange(ref _outboxDepth, outboxDepth);
        Volatile.Write(ref _connected, connected ? 1 : 0);
    }

    private static object Register()
    {
        StreamWatchMetrics.Meter.CreateObservableGauge("mqtt_outbox_depth", () => Interlocked.Read(ref _outboxDepth), "{message}", "Alert messages waiting in the MQTT outbox");
        StreamWatchMetrics.Meter.CreateObservableGauge("mqtt_connected", () => Volatile.Read(ref _connected), "1", "1 while connected to the MQTT broker");
        return new object();
    }
}
