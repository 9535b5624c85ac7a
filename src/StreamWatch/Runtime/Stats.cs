using StreamWatch.Mqtt;

namespace StreamWatch.Runtime;

/// <summary>Per-camera figures for the MQTT stats topic, measured since the previous snapshot.</summary>
internal static class Stats
{
    public static StatsSnapshot Snapshot(IEnumerable<CameraWorker> workers)
    {
        var cameras = new Dictionary<string, CameraStats>();
        var queues = new Dictionary<string, long>();
        foreach (var w in workers)
        {
            var (fps, gateRatio) = w.TakeRates();
            cameras[w.Name] = new CameraStats(Math.Round(fps, 2), Math.Round(gateRatio, 3), w.QueueDepth);
            queues[$"{w.Name}/frames"] = w.QueueDepth;
        }
        return new StatsSnapshot(cameras, queues);
    }
}
