using Microsoft.Extensions.Logging;
using StreamWatch.Core.Cluster;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Telemetry;
using StreamWatch.Store;

namespace StreamWatch.Sinks;

/// <summary>
/// Writes alert lifecycles (with verdicts and keyframes as JPEG) and camera online/offline changes
/// to the event store, from the sink's own queue (never the frame path): a slow or failing store
/// is counted and logged by the event bus, and the other sinks (MQTT) go on. Runs retention every
/// <paramref name="retentionInterval"/>, counting what it deletes. Keyframes of a camera with
/// AnnotateSnapshots are stored with the zone and moving region outlined. While the cluster fence is
/// closed nothing is written (counted in streamwatch_cluster_fenced_total): the camera's next owner
/// ends its open incidents from the shared store.
/// </summary>
public sealed class StoreSink(IEventStore store, IJpegEncoder jpeg, IReadOnlyList<CameraOptions> cameras, ILogger log, TimeProvider time, TimeSpan retentionInterval, IPublishFence? fence = null) : IEventSink
{
    private DateTimeOffset _nextRetention = DateTimeOffset.MinValue;

    public string Name => "store";

    private readonly IPublishFence _fence = fence ?? OpenFence.Instance;

    public async ValueTask HandleAsync(PipelineEvent e, CancellationToken cancellationToken)
    {
        if (_fence.HoldsBack(writes: e is AlertChanged or CameraStateChanged)) return;
        switch (e)
        {
            case AlertChanged a:
                await store.RecordAlertAsync(ToRecord(a, jpeg, cameras.FirstOrDefault(c => c.Name == a.Camera)), cancellationToken);
                break;
            case CameraStateChanged s:
                await store.RecordCameraStateAsync(new CameraStateRecord(s.Camera, s.Utc, s.Online, s.Reason.Text()), cancellationToken);
                break;
        }
        await RetainAsync(cancellationToken);
    }

    /// <summary>Runs retention when it is due (also called once at start).</summary>
    public async Task RetainAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now < _nextRetention) return;
        _nextRetention = now + retentionInterval;
        var r = await store.ApplyRetentionAsync(now, ct);
        if (r.DeletedByAge > 0) StreamWatchMetrics.StoreRetentionDeleted.Add(r.DeletedByAge, new KeyValuePair<string, object?>("reason", "age"));
        if (r.DeletedBySize > 0) StreamWatchMetrics.StoreRetentionDeleted.Add(r.DeletedBySize, new KeyValuePair<string, object?>("reason", "size"));
        if (r.DeletedByAge + r.DeletedBySize > 0)
            log.LogInformation("event store retention deleted {Age} event(s) by age and {Size} by size", r.DeletedByAge, r.DeletedBySize);
    }

    public static AlertRecord ToRecord(AlertChanged e, IJpegEncoder jpeg, CameraOptions? camera)
    {
        var a = e.Alert;
        return new AlertRecord
        {
            Id = a.Id, Camera = a.Camera, Rule = a.Rule, Zone = a.Zone, Severity = a.Severity, Phase = EventJson.Phase(a.Phase),
            Utc = e.Utc, Offset = a.Offset, Start = a.Start, StartOffset = a.StartOffset, End = a.End,
            Verdict = a.Label is { } label ? new VerdictRecord(label, a.Confidence ?? 0, a.Description, a.Model, a.LatencyMs) : null,
            Unverified = a.Unverified,
            Keyframes = a.Keyframes.Select(k => new KeyframeRecord(k.CapturedUtc, k.Offset, () => jpeg.EncodeI420(k.I420, k.Width, k.Height, overlay: SnapshotOverlay.For(camera, a, k)))).ToArray(),
        };
    }
}
