using BenchmarkDotNet.Attributes;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Motion;
using StreamWatch.Core.Rules;

namespace StreamWatch.Benchmarks.Decisions;

/// <summary>
/// Per-frame cost of the decision stages: keyframe selection (672×378 I420 copy), the four rule
/// types on a 40×24 motion grid, and the alert tracker's steady state.
/// Run: dotnet run -c Release --project tests/StreamWatch.Benchmarks -- --filter '*DecisionBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private const int GridW = 40, GridH = 24, PixelW = 320, PixelH = 192;
    private readonly Frame _frame = new(672, 378);
    private readonly List<Keyframe> _keyframes = new();
    private readonly List<Alert> _alerts = new();
    private readonly RuleHit[] _hits = { new("door-zone", "door", 0.2f, null) };
    private KeyframeSelector _closed = null!, _open = null!;
    private IRule[] _rules = null!;
    private MotionResult _motion = null!;
    private AlertTracker _tracker = null!;
    private long _tick;

    [GlobalSetup]
    public void Setup()
    {
        _closed = new KeyframeSelector(new KeyframeOptions(), "cam");
        _open = new KeyframeSelector(new KeyframeOptions { StrongFps = 0.05, WeakFps = 0.05 }, "cam");
        _open.Offer(_frame, 1, true, GateTransition.Opened, _keyframes);

        var zones = new[] { new ZoneOptions { Name = "door", Polygon = "0.1,0.1 0.6,0.1 0.7,0.8 0.1,0.9" } };
        _rules = new[]
        {
            new RuleOptions { Name = "m", Type = RuleType.Motion },
            new RuleOptions { Name = "z", Type = RuleType.Zone, Zone = "door" },
            new RuleOptions { Name = "l", Type = RuleType.Loiter, Zone = "door", Seconds = 1 },
            new RuleOptions { Name = "d", Type = RuleType.Direction, Zone = "door", AllowedDirection = 90 },
        }.Select(r => RuleFactory.Create(r, zones, GridW, GridH, PixelW, PixelH)).ToArray();
        _motion = new MotionResult(GridW, GridH, PixelW, PixelH);
        for (var i = 0; i < _motion.Cells.Length; i++)
            _motion.Cells[i] = new FlowCell(0, 0, 2, 0.5f, 3, i % 5 == 0);
        // A 40×60 px object's changes, half of them inside the zone.
        for (var y = 60; y < 120; y++)
            for (var x = 180; x < 220; x++) { _motion.Changed[y * PixelW + x] = 1; _motion.ChangedPixels++; }

        _tracker = new AlertTracker("cam", new[] { new RuleOptions { Name = "door-zone", Zone = "door", EndAfterSeconds = 1e3 } }, (_, _) => "id");
    }

    private TimeSpan Next() => TimeSpan.FromMilliseconds(200 * ++_tick);

    [Benchmark(Description = "KeyframeSelector.Offer, gate closed (pre-roll copy)")]
    public void OfferClosed()
    {
        _frame.Offset = Next();
        _closed.Offer(_frame, 0.1f, false, GateTransition.None, _keyframes);
    }

    [Benchmark(Description = "KeyframeSelector.Offer, gate open inside a window")]
    public void OfferOpen()
    {
        _frame.Offset = TimeSpan.FromMilliseconds(200 * (++_tick % 50)); // stays inside the 20 s window
        _open.Offer(_frame, _tick % 7, true, GateTransition.None, _keyframes);
    }

    [Benchmark(Description = "4 rules Evaluate on a 40x24 grid")]
    public int Rules()
    {
        var offset = Next();
        var n = 0;
        foreach (var r in _rules) if (r.Evaluate(_motion, true, offset) is not null) n++;
        return n;
    }

    [Benchmark(Description = "AlertTracker.Update, open incident, no message")]
    public int Tracker()
    {
        _tracker.Update(_hits, Next(), DateTimeOffset.UnixEpoch, Array.Empty<Keyframe>(), _alerts);
        if (_alerts.Count > 100) _alerts.Clear();
        return _alerts.Count;
    }
}
