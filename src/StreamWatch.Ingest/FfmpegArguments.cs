using System.Globalization;
using StreamWatch.Core.Config;

namespace StreamWatch.Ingest;

/// <summary>
/// The ffmpeg command line for a camera — pure, no I/O. ffmpeg decodes, drops to the analysis
/// frame rate and scales so the longest side is at most <see cref="CameraOptions.InferenceSize"/>
/// (even dimensions, aspect kept; a smaller source is never upscaled), and writes YUV4MPEG2 to stdout: raw I420 frames, each behind a
/// 6-byte "FRAME\n" marker, after one header line that states the size ffmpeg chose. The size thus
/// travels in-band with the frames: no ffprobe round trip (a second connection that can hang too),
/// and a camera whose resolution changes between restarts is read correctly.
/// </summary>
public sealed class FfmpegArguments
{
    public const string NvdecDevice = "cuda";
    public const string VaapiDevice = "/dev/dri/renderD128";

    /// <summary>Protocols ffmpeg may open for an input read from an <see cref="InputScript"/>.</summary>
    public const string ScriptProtocols = "file,crypto,data,tcp,udp,tls,rtp,srtp,rtsp,rtsps,http,https,httpproxy,rtmp,rtmps,rtmpt,rtmpts";

    /// <summary>
    /// A network URL with credentials does not go on ffmpeg's command line (every local user can
    /// read /proc/PID/cmdline): ffmpeg reads it from a private ffconcat script instead.
    /// </summary>
    public static bool NeedsInputScript(CameraOptions camera) =>
        Kind(camera.Url) != InputKind.File && UrlRedactor.HasCredentials(camera.Url);

    /// <summary>The ffconcat script naming the camera's URL, with the input options of <see cref="Input"/>
    /// as <c>option</c> lines (the concat demuxer passes them to the inner input).</summary>
    public static string InputScript(CameraOptions camera, bool replay)
    {
        var lines = new List<string> { "ffconcat version 1.0", $"file '{camera.Url.Replace("'", @"'\''")}'" };
        var input = Input(camera, replay);
        for (var i = 0; i + 1 < input.Count; i += 2) lines.Add($"option {input[i].TrimStart('-')} {input[i + 1]}");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>ffmpeg's arguments (without the program name) for one run of a camera.</summary>
    /// <param name="replay">Read a file as fast as it decodes: no <c>-re</c>, no looping.</param>
    /// <param name="inputScript">The camera's <see cref="InputScript"/> written to a file: read the input from it.</param>
    public static IReadOnlyList<string> Build(CameraOptions camera, bool replay, string? inputScript = null)
    {
        var a = new List<string> { "-nostdin", "-hide_banner", "-nostats", "-loglevel", "warning" };
        a.AddRange(HwAccel(camera.HwAccel));
        // Live: frame-threaded decoding holds (threads - 1) frames back, 80 ms at 25 fps on a 2-core
        // machine (docs/load.md); slice threads add no delay. Replay keeps frame threads for throughput.
        if (!replay) a.AddRange(["-thread_type", "slice"]);
        if (inputScript != null) a.AddRange(["-f", "concat", "-safe", "0", "-protocol_whitelist", ScriptProtocols, "-i", inputScript]);
        else a.AddRange([.. Input(camera, replay), "-i", camera.Url]);
        a.AddRange(["-map", "0:v:0", "-an", "-sn", "-dn"]);
        a.AddRange(["-vf", Filter(camera.AnalysisFps, camera.InferenceSize)]);
        a.AddRange(["-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", "pipe:1"]);
        return a;
    }

    /// <summary>Options that go before <c>-i</c>: transport and socket timeouts, or file pacing.
    /// The socket timeout is twice the stall timeout: a backstop that lets ffmpeg end a dead
    /// connection itself, while the watchdog (which also catches hangs no socket timeout covers)
    /// always acts first and reports the stall.</summary>
    public static IReadOnlyList<string> Input(CameraOptions camera, bool replay)
    {
        var timeoutUs = ((long)(camera.StallTimeoutSeconds * 2_000_000)).ToString(CultureInfo.InvariantCulture);
        return Kind(camera.Url) switch
        {
            InputKind.Rtsp => ["-rtsp_transport", "tcp", "-timeout", timeoutUs],
            InputKind.Network => ["-rw_timeout", timeoutUs],
            _ when replay => [],
            _ => [.. camera.Realtime ? new[] { "-re" } : [], .. camera.Loop ? new[] { "-stream_loop", "-1" } : []],
        };
    }

    /// <summary>Named hardware-decode presets. Decoded frames are downloaded to system memory
    /// (no <c>-hwaccel_output_format</c>), so the software fps/scale filters work unchanged.</summary>
    public static IReadOnlyList<string> HwAccel(HwAccelPreset preset) => preset switch
    {
        HwAccelPreset.None => [],
        HwAccelPreset.Nvdec => ["-hwaccel", "cuda"],
        HwAccelPreset.Vaapi => ["-hwaccel", "vaapi", "-vaapi_device", VaapiDevice],
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "unknown hardware decode preset"),
    };

    public static string Filter(double fps, int inferenceSize)
    {
        var f = fps.ToString("0.###", CultureInfo.InvariantCulture);
        var s = inferenceSize.ToString(CultureInfo.InvariantCulture);
        // The box is min(configured, source) on each side: a source already inside it keeps its size.
        return $"fps={f},scale=w='min({s},iw)':h='min({s},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2";
    }

    public static InputKind Kind(string url)
    {
        var i = url.IndexOf("://", StringComparison.Ordinal);
        if (i <= 0) return InputKind.File;
        var scheme = url[..i].ToLowerInvariant();
        return scheme switch
        {
            "rtsp" or "rtsps" => InputKind.Rtsp,
            "file" => InputKind.File,
            _ => InputKind.Network,
        };
    }

    /// <summary>A file that is not looped ends; every other input is expected to run forever.</summary>
    public static bool CanEnd(CameraOptions camera, bool replay) =>
        Kind(camera.Url) == InputKind.File && (replay || !camera.Loop);
}

public enum InputKind { File, Rtsp, Network }
