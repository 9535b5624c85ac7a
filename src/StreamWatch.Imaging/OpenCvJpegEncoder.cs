using OpenCvSharp;
using StreamWatch.Core.Frames;

namespace StreamWatch.Imaging;

/// <summary>
/// JPEG snapshots through OpenCV: I420 → BGR (cvtColor, BT.601 as JPEG expects), the overlay's
/// outlines drawn (zones yellow, the moving region red), then imencode. Thread-safe: every call
/// uses its own Mats.
/// </summary>
public sealed class OpenCvJpegEncoder : IJpegEncoder
{
    private static readonly Scalar ZoneColour = new(0, 255, 255);   // BGR yellow
    private static readonly Scalar MovingColour = new(0, 0, 255);   // BGR red

    public unsafe byte[] EncodeI420(ReadOnlySpan<byte> i420, int width, int height, int quality = 85, SnapshotOverlay? overlay = null)
    {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive and even");
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), "quality must be 1..100");
        var need = Frame.I420Size(width, height);
        if (i420.Length < need) throw new ArgumentException($"I420 {width}x{height} needs {need} bytes, got {i420.Length}", nameof(i420));
        using var bgr = new Mat();
        fixed (byte* src = i420)
        {
            using var yuv = Mat.FromPixelData(height * 3 / 2, width, MatType.CV_8UC1, (nint)src);
            Cv2.CvtColor(yuv, bgr, ColorConversionCodes.YUV2BGR_I420);
        }
        if (overlay != null) Draw(bgr, overlay);
        Cv2.ImEncode(".jpg", bgr, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        return jpeg;
    }

    /// <summary>Outlines 1 px wide per 180 px of the shorter side, at least 2 (JPEG halves the colour
    /// resolution: a 1 px line comes out pale), anti-aliasing off so the colours stay pure.</summary>
    private static void Draw(Mat bgr, SnapshotOverlay overlay)
    {
        int w = bgr.Width, h = bgr.Height;
        var thickness = Math.Max(2, (int)Math.Round(Math.Min(w, h) / 180.0));
        Point At(float x, float y) => new(Math.Clamp((int)MathF.Round(x * w), 0, w - 1), Math.Clamp((int)MathF.Round(y * h), 0, h - 1));
        foreach (var zone in overlay.Zones)
        {
            var pts = new Point[zone.Count];
            for (var i = 0; i < pts.Length; i++) pts[i] = At(zone[i].X, zone[i].Y);
            Cv2.Polylines(bgr, [pts], isClosed: true, ZoneColour, thickness, LineTypes.Link8);
        }
        if (overlay.Moving is { } m)
            Cv2.Rectangle(bgr, At(m.X, m.Y), At(m.X + m.Width, m.Y + m.Height), MovingColour, thickness, LineTypes.Link8);
    }
}
