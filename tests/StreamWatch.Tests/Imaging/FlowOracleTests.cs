using OpenCvSharp;
using StreamWatch.Core.Motion;
using Xunit.Abstractions;

namespace StreamWatch.Tests.Imaging;

/// <summary>
/// OpenCV's pyramidal Lucas–Kanade (calcOpticalFlowPyrLK) as the accuracy oracle for our own patch
/// flow, on real clips from ../shared/clips/dev decoded at 5 fps and 320 px wide (what the gate
/// sees). At every grid-cell centre the analyzer tracks, both flows are computed for the same
/// frame pair; where both are confident they must agree.
/// <para>
/// Confident, ours: the analyzer's own trust test (texture ≥ MinTexture, match error ≤
/// MaxMatchError, patch still in view). OpenCV's: status 1 and forward-backward consistent
/// (tracking the result back lands within 0.25 px of the start), the usual LK reliability check.
/// </para>
/// <para>
/// Tolerance: 0.5 px + 10 % of the motion. Both trackers solve the same least-squares problem on a
/// 16 px window over a 3-level pyramid, but ours normalises gain and offset per patch, weights the
/// window flat and stops at 0.02 px, so on real, noisy footage a few tenths of a pixel apart is the
/// same answer; a wrong level scaling, sign or interpolation bug is off by whole pixels or by a
/// factor. Required: 90 % of the jointly confident vectors and 85 % of those moving ≥ 1 px agree.
/// Measured 2026-12-03: people 2 897 of 2 908 (moving 100 of 108), cars 191 of 205 (moving 114 of
/// 122). The misses are mostly fast motion (OpenCV reads 15–25 px per sample, forward-backward
/// consistent) where ours reads a third to a half of it, probably the reach of our 3-level pyramid
/// (not checked which is right); the gate still sees motion there. beweging-walking-by gives no
/// jointly confident moving vector (0 of 690), so it is not used.
/// </para>
/// </summary>
public class FlowOracleTests(ITestOutputHelper output)
{
    private const int Width = 320;

    [Theory]
    [InlineData("intel-people-one-by-one.mp4", 5.5, 21.0)]
    [InlineData("intel-parking-lot-cars.mp4", 4.0, 9.5)]
    public void Our_flow_agrees_with_OpenCV_pyramidal_LK_where_both_are_confident(string clip, double from, double to)
    {
        var frames = Decode(Path.Combine(SharedClips, clip), from, to);
        Assert.True(frames.Count >= 20, $"{clip}: only {frames.Count} frames decoded");
        var (w, h) = (frames[0].Cols, frames[0].Rows);
        var o = new MotionOptions();
        var levels = o.PyramidLevels;
        var prev = new Pyramid(levels, w, h);
        var cur = new Pyramid(levels, w, h);
        var tracker = new PatchTracker(o.PatchSize, o.Iterations, (float)o.ConvergencePixels, (float)o.MinTexture);
        int cols = o.GridColumns, rows = o.GridRows;
        var centres = new Point2f[cols * rows];
        for (var c = 0; c < centres.Length; c++)
            centres[c] = new Point2f((c % cols + 0.5f) * w / cols - 0.5f, (c / cols + 0.5f) * h / rows - 0.5f);

        int both = 0, agree = 0, moving = 0, movingAgree = 0;
        var worst = new List<string>();
        for (var f = 1; f < frames.Count; f++)
        {
            prev.Build(Bytes(frames[f - 1]));
            cur.Build(Bytes(frames[f]));
            var next = Array.Empty<Point2f>();
            Cv2.CalcOpticalFlowPyrLK(frames[f - 1], frames[f], centres, ref next, out var status, out _,
                new Size(o.PatchSize, o.PatchSize), levels - 1, new TermCriteria(CriteriaTypes.Count | CriteriaTypes.Eps, 30, 0.01));
            var back = Array.Empty<Point2f>();
            Cv2.CalcOpticalFlowPyrLK(frames[f], frames[f - 1], next, ref back, out var backStatus, out _,
                new Size(o.PatchSize, o.PatchSize), levels - 1, new TermCriteria(CriteriaTypes.Count | CriteriaTypes.Eps, 30, 0.01));
            for (var c = 0; c < centres.Length; c++)
            {
                tracker.Track(prev, cur, centres[c].X, centres[c].Y, out var dx, out var dy, out var texture, out var error);
                var ours = texture >= o.MinTexture && error <= o.MaxMatchError && float.IsFinite(dx) && float.IsFinite(dy);
                var fb = Math.Sqrt(Sq(back[c].X - centres[c].X) + Sq(back[c].Y - centres[c].Y));
                var theirs = status[c] == 1 && backStatus[c] == 1 && fb < 0.25;
                if (!ours || !theirs) continue;
                double cx = next[c].X - centres[c].X, cy = next[c].Y - centres[c].Y;
                var size = Math.Sqrt(cx * cx + cy * cy);
                var diff = Math.Sqrt(Sq(dx - cx) + Sq(dy - cy));
                var ok = diff <= 0.5 + 0.1 * size;
                both++; if (ok) agree++;
                if (size >= 1) { moving++; if (ok) movingAgree++; }
                if (!ok && worst.Count < 10) worst.Add($"frame {f} cell {c}: ours ({dx:0.00}, {dy:0.00}) OpenCV ({cx:0.00}, {cy:0.00})");
            }
        }
        output.WriteLine($"{clip}: {frames.Count} frames, {both} jointly confident vectors, {agree} agree; moving (≥ 1 px) {moving}, {movingAgree} agree");
        foreach (var line in worst) output.WriteLine(line);
        Assert.True(moving >= 20, $"{clip}: only {moving} confident moving vectors, the comparison would prove nothing");
        Assert.True(agree >= 0.9 * both, $"{clip}: {agree} of {both} confident vectors agree");
        Assert.True(movingAgree >= 0.85 * moving, $"{clip}: {movingAgree} of {moving} confident moving vectors agree");
    }

    private static double Sq(double v) => v * v;

    private static byte[] Bytes(Mat grey)
    {
        var b = new byte[grey.Cols * grey.Rows];
        System.Runtime.InteropServices.Marshal.Copy(grey.Data, b, 0, b.Length);
        return b;
    }

    /// <summary>Grey frames at 5 fps from <paramref name="from"/> to <paramref name="to"/> seconds, 320 px wide (INTER_AREA).</summary>
    private static List<Mat> Decode(string path, double from, double to)
    {
        Assert.True(File.Exists(path), $"{path} is missing (../shared beside the checkout)");
        using var cap = new VideoCapture(path);
        Assert.True(cap.IsOpened(), $"OpenCV cannot open {path}");
        var fps = cap.Fps;
        var frames = new List<Mat>();
        using var bgr = new Mat();
        var nextT = from;
        for (var i = 0; cap.Read(bgr) && !bgr.Empty(); i++)
        {
            var t = i / fps;
            if (t > to) break;
            if (t + 1e-6 < nextT) continue;
            nextT += 0.2;
            using var grey = bgr.CvtColor(ColorConversionCodes.BGR2GRAY);
            var h = (int)Math.Round((double)Width * grey.Rows / grey.Cols / 2) * 2;
            frames.Add(grey.Resize(new Size(Width, h), interpolation: InterpolationFlags.Area));
        }
        return frames;
    }

    private static string SharedClips
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "StreamWatch.sln"))) return Path.Combine(d.FullName, "..", "shared", "clips", "dev");
            throw new InvalidOperationException("StreamWatch.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
