using BenchmarkDotNet.Attributes;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Motion;

namespace StreamWatch.Benchmarks;

/// <summary>Per-frame cost of the optical-flow motion gate at 320×180 and 160×90 (a moving textured box on a textured background).</summary>
[MemoryDiagnoser]
public class MotionBenchmarks
{
    [Params(320, 160)]
    public int W { get; set; }
    private int H => W * 9 / 16;
    private readonly byte[][] _frames = new byte[8][];
    private readonly byte[] _hd = new byte[1280 * 720];
    private byte[] _small = [];
    private MotionAnalyzer _analyzer = null!;
    private MotionGate _gate = null!;
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _small = new byte[W * H];
        var rnd = new Random(1);
        var bg = new byte[(W + 64) * H];
        rnd.NextBytes(bg);
        for (var f = 0; f < _frames.Length; f++)
        {
            var fr = _frames[f] = new byte[W * H];
            for (var y = 0; y < H; y++)
                for (var x = 0; x < W; x++)
                {
                    var inBox = x >= W / 8 + W / 27 * f && x < W * 5 / 16 + W / 27 * f && y >= H / 3 && y < H * 7 / 9;
                    fr[y * W + x] = inBox ? (byte)(((x - W / 27 * f) * 7 + y * 13) & 0xFF) : bg[y * (W + 64) + x];
                }
        }
        rnd.NextBytes(_hd);
        _analyzer = new MotionAnalyzer(new MotionOptions(), W, H, []);
        _gate = new MotionGate(new GateOptions());
        _analyzer.Analyze(_frames[0]);
    }

    [Benchmark(Description = "analyze+gate")]
    public float AnalyzeAndGate()
    {
        var r = _analyzer.Analyze(_frames[++_i % _frames.Length]);
        _gate.Update(r.Score, TimeSpan.FromSeconds(_i * 0.2));
        return r.Score;
    }

    [Benchmark(Description = "downscale 1280x720->W")]
    public void Downscale() => GreyScaler.Downscale(_hd, 1280, 720, _small, W, H);
}
