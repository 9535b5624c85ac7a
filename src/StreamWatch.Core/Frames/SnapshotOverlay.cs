using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Geometry;
using StreamWatch.Core.Keyframes;

namespace StreamWatch.Core.Frames;

/// <summary>A rectangle in normalised image coordinates (0..1, origin top-left).</summary>
public readonly record struct Box(float X, float Y, float Width, float Height);

/// <summary>What an annotated snapshot outlines over the image: zone polygons and the moving region.</summary>
public sealed record SnapshotOverlay(IReadOnlyList<Polygon> Zones, Box? Moving)
{
    /// <summary>The overlay for an alert's snapshot: null unless the camera's AnnotateSnapshots is
    /// on; otherwise the alert's zone (none for a motion rule) and the keyframe's moving region.</summary>
    public static SnapshotOverlay? For(CameraOptions? camera, Alert alert, Keyframe keyframe) =>
        Of(camera, z => z.Name == alert.Zone, keyframe.Moving);

    /// <summary>The overlay for the camera's newest frame (the API's latest.jpg): null unless AnnotateSnapshots
    /// is on; otherwise every zone of the camera and the region that moved in that frame (none when still).</summary>
    public static SnapshotOverlay? ForLatest(CameraOptions? camera, Box? moving) => Of(camera, _ => true, moving);

    private static SnapshotOverlay? Of(CameraOptions? camera, Func<ZoneOptions, bool> zone, Box? moving) =>
        camera is { AnnotateSnapshots: true }
            ? new SnapshotOverlay(camera.Zones.Where(zone).Select(z => Polygon.Parse(z.Polygon)).ToList(), moving)
            : null;
}
