using BenchmarkDotNet.Attributes;
using StreamWatch.Core.Frames;
using StreamWatch.Imaging;

namespace StreamWatch.Benchmarks.Imaging;

/// <summary>
/// Snapshot JPEG encoding (quality 85) of one I420 frame at the sizes a camera delivers: the
/// default inference size 672×378, 1280×720 and 320×180. The image is smooth gradients with mild
/// noise (deterministic), so the figures are comparable between encoders.
/// Run: dotnet run -c Release --project tests/StreamWatch.Benchmarks -- --filter '*JpegBenchmarks*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class JpegBenchmarks
{
    private IJpegEncoder _encoder = null!;
    private byte[] _i420 = [];

    [Params("320x180", "672x378", "1280x720")]
    public string Size { get; set; } = "672x378";

    private int W => int.Parse(Size.Split('x')[0]);
    private int H => int.Parse(Size.Split('x')[1]);

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new OpenCvJpegEncoder();
        _i420 = Scene(W, H);
    }

    [GlobalCleanup]
    public void Cleanup() => (_encoder as IDisposable)?.Dispose();

    [Benchmark]
    public int EncodeI420() => _encoder.EncodeI420(_i420, W, H, 85).Length;

    internal static byte[] Scene(int w, int h)
    {
        var buf = new byte[w * h * 3 / 2];
        var rng = new Random(7);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                buf[y * w + x] = (byte)Math.Clamp(40 + 150 * x / w + 50 * y / h + rng.Next(-6, 7), 0, 255);
        var cw = w / 2; var ch = h / 2;
        for (var y = 0; y < ch; y++)
            for (var x = 0; x < cw; x++)
            {
                buf[w * h + y * cw + x] = (byte)(96 + 64 * x / cw);
                buf[w * h + cw * ch + y * cw + x] = (byte)(160 - 64 * y / ch);
            }
        return buf;
    }
}
