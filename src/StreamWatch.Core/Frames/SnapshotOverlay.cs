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
    public static SnapshotOverlay? For(CameraOptions? camera, Alert alert, Keyframe keyframe)
    {
        if (camera is not { AnnotateSnapshots: true }) return null;
        var zones = camera.Zones.Where(z => z.Name == alert.Zone).Select(z => Polygon.Parse(z.Polygon)).ToList();
        return new SnapshotOverlay(zones, keyframe.Moving);
    }
}
