using OpenCvSharp;
using StreamWatch.Core.Frames;

namespace StreamWatch.Imaging;

/// <summary>
/// JPEG snapshots through OpenCV: I420 → BGR (cvtColor, BT.601 as JPEG expects), then imencode.
/// Thread-safe: every call uses its own Mats.
/// </summary>
public sealed class OpenCvJpegEncoder : IJpegEncoder
{
    public unsafe byte[] EncodeI420(ReadOnlySpan<byte> i420, int width, int height, int quality = 85)
    {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive and even");
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), "quality must be 1..100");
        var need = Frame.I420Size(width, height);
        if (i420.Length < need) throw new ArgumentException($"I420 {width}x{height} needs {need} bytes, got {i420.Length}", nameof(i420));
        fixed (byte* src = i420)
        {
            using var yuv = Mat.FromPixelData(height * 3 / 2, width, MatType.CV_8UC1, (nint)src);
            using var bgr = new Mat();
            Cv2.CvtColor(yuv, bgr, ColorConversionCodes.YUV2BGR_I420);
            Cv2.ImEncode(".jpg", bgr, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
            return jpeg;
        }
    }
}
