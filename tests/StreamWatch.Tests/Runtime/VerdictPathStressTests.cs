using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Config;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Pipeline;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference;
using StreamWatch.Inference.Profiles;
using StreamWatch.Runtime;
using StreamWatch.Tests.Motion;

namespace StreamWatch.Tests.Runtime;

/// <summary>
/// The verdict path under load, on the real classes (camera loops, pipelines, alert trackers,
/// ModelJudge, InferenceScheduler): 32 cameras feed moving-box scenes as fast as their loops take
/// them, a model answers in 0–50 ms, fails 30 % of the time, and the judge's clock runs 100× fast
/// so that 20 s request deadlines (0.2 s real) expire in the queue. Only ffmpeg is left out.
/// </summary>
public sealed class VerdictPathStressTests
{
    private const int Cameras = 32, W = 192, H = 108, Requests = 10_000;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);

    /// <summary>A clock running <c>factor</c> times faster than real time, timers included.</summary>
    private sealed class FastClock(double factor) : TimeProvider
    {
        private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();

        public override DateTimeOffset GetUtcNow() => _start + _elapsed.Elapsed * factor;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, Scale(dueTime), Scale(period));

        private TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan || t == TimeSpan.Zero ? t : t / factor;
    }

    /// <summary>Answers after 0–50 ms; 30 % of the calls fail; confirmed anomalies at random.</summary>
    private sealed class ErraticModel : IVisionModel
    {
        public int Calls;
        public string Name => "erratic";

        public async Task<Verdict> JudgeAsync(VerdictRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            await Task.Delay(Random.Shared.Next(0, 51), ct);
            if (Random.Shared.NextDouble() < 0.3) throw new ModelAnswerException("bad_json", "stand-in failure");
            return new Verdict("person", 0.9, "warning", request.Rule, Random.Shared.NextDouble() < 0.7, null, null, Name, "{}", 1);
        }
    }

    /// <summary>Luma of one 16-frame cycle: 6 still frames, then a box moving 6 px a frame for 10.</summary>
    private static byte[][] Cycle()
    {
        var bg = new SyntheticScene(8);
        var box = new SyntheticScene(80);
        var still = bg.Render(W, H);
        return Enumerable.Range(0, 16).Select(i =>
        {
            var img = (byte[])still.Clone();
            if (i >= 6) SyntheticScene.PasteBox(img, W, box, 20 + 6 * (i - 6), 30, 40, 50);
            return img;
        }).ToArray();
    }

    private static AppOptions Options()
    {
        var options = new AppOptions();
        options.Keyframes.StrongFps = 5;       // a keyframe on every frame with strong motion: a request each time
        options.Keyframes.SpacingGrowth = 0;
        options.Keyframes.MergeGapSeconds = 0;
        options.Keyframes.MaxPerEvent = 1000;
        options.Gate.OpenFrames = 1;
        options.Gate.QuietSeconds = 0.4;
        options.Model.Scheduler.Concurrency = 8;
        options.Model.Scheduler.QueueCapacity = 48;
        for (var c = 0; c < Cameras; c++)
            options.Cameras.Add(new CameraOptions
            {
                Name = $"cam{c:00}", Url = "x",
                Rules =
                {
                    new RuleOptions { Name = "held", Type = RuleType.Motion, Profile = "security", RequireVerification = true, EndAfterSeconds = 0.4, CooldownSeconds = 0 },
                    // Open for the whole run (the 1.2 s still part of a cycle is shorter than 3 s): a verdict
                    // that lands on it whenever it comes must show as an Update; a short one could end first.
                    new RuleOptions { Name = "told", Type = RuleType.Motion, Profile = "security", EndAfterSeconds = 3, CooldownSeconds = 0 },
                },
            });
        return options;
    }

    [Fact]
    public async Task Thirty_two_cameras_and_an_erratic_model_finish_and_every_alert_ends_exactly_once()
    {
        var options = Options();
        var cycle = Cycle();
        var model = new ErraticModel();
        var workers = options.Cameras.Select(c => new CameraWorker(c, options, NullLogger.Instance, TimeProvider.System)).ToList();
        var byName = workers.ToDictionary(w => w.Name);
        using var judge = new ModelJudge(model, options, NullLogger.Instance, new FastClock(100), byName.GetValueOrDefault);
        var events = workers.ToDictionary(w => w.Name, _ => new ConcurrentQueue<AlertChanged>());
        using var stop = new CancellationTokenSource();

        async Task FeedAsync(CameraWorker worker)
        {
            var returned = new SemaphoreSlim(options.Output.FrameQueueCapacity);   // a frame back from the loop frees a slot
            var pool = new ConcurrentBag<Frame>(Enumerable.Range(0, options.Output.FrameQueueCapacity).Select(_ => new Frame(W, H)));
            var loop = worker.LoopAsync(e => { if (e is AlertChanged a) events[e.Camera].Enqueue(a); },
                f => { pool.Add(f); returned.Release(); });
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await returned.WaitAsync();
                pool.TryTake(out var frame);
                cycle[i % cycle.Length].CopyTo(frame!.I420, 0);
                frame.Sequence = i;
                frame.Offset = TimeSpan.FromSeconds(i / 5.0);
                frame.CapturedUtc = DateTimeOffset.UnixEpoch + frame.Offset;
                if (!worker.Offer(frame)) { pool.Add(frame); returned.Release(); }  // inbox full of verdicts: dropped, as in the daemon
            }
            worker.Complete();
            await loop;
        }

        foreach (var w in workers) w.Judge = judge;
        var run = Task.WhenAll(workers.Select(w => Task.Run(() => FeedAsync(w))));
        var stopper = Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (judge.Requests < Requests && await tick.WaitForNextTickAsync()) { }
            stop.Cancel();
        });
        await Task.WhenAll(run, stopper).WaitAsync(Bound);   // a hang fails here

        var stats = judge.Stats;
        Assert.True(judge.Requests >= Requests, $"{judge.Requests} requests");
        Assert.True(stats.Failed > 0 && stats.Completed > 0 && stats.DroppedStale > 0, $"{stats}");

        var published = 0;
        foreach (var (camera, queue) in events)
        {
            var phases = new Dictionary<string, List<AlertPhase>>();
            foreach (var a in queue)
            {
                Assert.Equal(camera, a.Alert.Camera);
                if (!phases.TryGetValue(a.Alert.Id, out var list)) phases[a.Alert.Id] = list = [];
                list.Add(a.Alert.Phase);
            }
            foreach (var (id, list) in phases)
            {
                Assert.True(list[0] == AlertPhase.New && list[^1] == AlertPhase.End && list.Count(p => p == AlertPhase.New) == 1
                    && list.Count(p => p == AlertPhase.End) == 1, $"{id}: {string.Join(" ", list)}");
            }
            published += phases.Count;
        }
        var all = events.Values.SelectMany(q => q).ToList();
        Assert.True(published > Cameras, $"{published} alerts");
        Assert.Contains(all, a => a.Alert.Rule == "held" && a.Alert.Unverified);           // failures fail open
        Assert.Contains(all, a => a.Alert.Rule == "held" && a.Alert is { Unverified: false, Label: "person" });
        Assert.Contains(all, a => a.Alert.Rule == "told" && a.Alert.Phase == AlertPhase.Update && a.Alert.Label == "person");
    }
}
