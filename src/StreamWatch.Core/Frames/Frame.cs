namespace StreamWatch.Core.Frames;

/// <summary>
/// One decoded frame: the image at inference resolution as I420 (planar YUV 4:2:0); the pipeline
/// derives its grey analysis plane from the luma. Frames come from a <see cref="FramePool"/> and go back to
/// it; a consumer must not keep a reference after the stage that handed it over returns (copy what
/// must outlive it, as <see cref="Keyframes.Keyframe"/> does).
/// </summary>
public sealed class Frame
{
    public Frame(int width, int height)
    {
        if (width <= 0 || height <= 0 || (width & 1) != 0 || (height & 1) != 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"frame size {width}x{height} must be positive and even");
        Width = width;
        Height = height;
        I420 = new byte[I420Size(width, height)];
    }

    public static int I420Size(int width, int height) => width * height * 3 / 2;

    public int Width { get; }
    public int Height { get; }

    /// <summary>Image at inference resolution, I420: Y plane then U then V (each chroma plane W/2 × H/2).</summary>
    public byte[] I420 { get; }

    /// <summary>Frame number since the stream (re)started.</summary>
    public long Sequence { get; set; }

    /// <summary>Wall-clock UTC time the frame was captured (read from the decoder).</summary>
    public DateTimeOffset CapturedUtc { get; set; }

    /// <summary>Offset of the frame from the start of the stream.</summary>
    public TimeSpan Offset { get; set; }

    public ReadOnlySpan<byte> Luma => I420.AsSpan(0, Width * Height);
}
