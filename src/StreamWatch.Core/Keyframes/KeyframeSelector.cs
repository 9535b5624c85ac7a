using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;

namespace StreamWatch.Core.Keyframes;

/// <summary>
/// Chooses keyframes while the motion gate is open. Call <see cref="Offer"/> for every analysed
/// frame, gate open or not, in stream order.
/// <para>
/// Windows: while the gate is open, frames are grouped into consecutive windows. A window starts
/// with its first frame (offset <c>s</c>) and holds every later frame whose offset is below
/// <c>s + L</c>, where <c>L</c> is 1/StrongFps when the window's peak score so far is ≥ StrongScore
/// and 1/WeakFps otherwise. The first frame at or past <c>s + L</c> (or one whose offset went
/// backwards) ends the window: its peak-score frame (earliest on ties) is emitted and that frame
/// starts the next window. At 5 analysed fps this gives 2.5 keyframes/s for strong motion and
/// 0.5/s for weak; a strong frame late in a weak window shortens it at once.
/// </para>
/// <para>
/// Pre-roll: while the gate is closed the latest frame is copied into a reusable buffer; when the
/// gate opens that frame is emitted once with <see cref="Keyframe.PreRoll"/> set. When the gate
/// closes the pending window's peak is emitted. At most MaxPerEvent keyframes (pre-roll included)
/// are emitted per gate opening. Nothing is allocated per frame except when a keyframe is emitted
/// (its own copy of the image); the two image buffers are sized on first use.
/// </para>
/// </summary>
public sealed class KeyframeSelector
{
    private readonly KeyframeOptions _options;
    private readonly string _camera;
    private readonly TimeSpan _strongWindow;
    private readonly TimeSpan _weakWindow;
    private readonly float _strongScore;
    private readonly Snapshot _lastClosed = new();
    private readonly Snapshot _windowBest = new();
    private TimeSpan _windowStart;
    private bool _open;
    private int _emitted;

    public KeyframeSelector(KeyframeOptions options, string camera)
    {
        _options = options;
        _camera = camera;
        _strongWindow = options.StrongWindow;
        _weakWindow = options.WeakWindow;
        _strongScore = (float)options.StrongScore;
    }

    /// <summary>Keyframes emitted in the current (or last) gate opening.</summary>
    public int EmittedThisEvent => _emitted;

    /// <param name="frame">The analysed frame; only read during the call.</param>
    /// <param name="score">Its motion score (MotionResult.Score); NaN counts as 0.</param>
    /// <param name="gateOpen">Gate state after this frame.</param>
    /// <param name="transition">Gate transition on this frame (Opened also restarts an event).</param>
    /// <param name="output">Receives the keyframes emitted by this call (appended).</param>
    public void Offer(Frame frame, float score, bool gateOpen, GateTransition transition, List<Keyframe> output)
    {
        if (float.IsNaN(score)) score = 0;
        if (!gateOpen)
        {
            if (_open)
            {
                _open = false;
                FlushWindow(output);
            }
            if (_options.PreRoll) _lastClosed.CopyFrom(frame, score);
            return;
        }

        if (!_open || transition == GateTransition.Opened)
        {
            if (_open) FlushWindow(output);
            _open = true;
            _emitted = 0;
            if (_options.PreRoll && _lastClosed.Valid)
            {
                Emit(_lastClosed, preRoll: true, output);
                _lastClosed.Valid = false; // one pre-roll per closed stretch
            }
        }

        if (_emitted >= _options.MaxPerEvent) return; // capped: nothing left to choose

        if (_windowBest.Valid)
        {
            var elapsed = frame.Offset - _windowStart;
            var length = _windowBest.Score >= _strongScore ? _strongWindow : _weakWindow;
            if (elapsed >= length || elapsed < TimeSpan.Zero)
            {
                FlushWindow(output);
                if (_emitted >= _options.MaxPerEvent) return;
            }
        }
        if (!_windowBest.Valid)
        {
            _windowStart = frame.Offset;
            _windowBest.CopyFrom(frame, score);
        }
        else if (score > _windowBest.Score)
        {
            _windowBest.CopyFrom(frame, score);
        }
    }

    /// <summary>End of stream while the gate is open: emits the pending window's best frame.</summary>
    public void Flush(List<Keyframe> output)
    {
        if (!_open) return;
        _open = false;
        FlushWindow(output);
    }

    private void FlushWindow(List<Keyframe> output)
    {
        if (_windowBest.Valid) Emit(_windowBest, preRoll: false, output);
        _windowBest.Valid = false;
    }

    private void Emit(Snapshot s, bool preRoll, List<Keyframe> output)
    {
        if (_emitted >= _options.MaxPerEvent) return;
        _emitted++;
        output.Add(new Keyframe(_camera, s.CapturedUtc, s.Offset, s.Score, preRoll, s.Width, s.Height,
            s.Buffer.AsSpan(0, s.Length).ToArray()));
    }

    /// <summary>A reusable copy of one frame's image and stamps.</summary>
    private sealed class Snapshot
    {
        public byte[] Buffer = Array.Empty<byte>();
        public int Length;
        public int Width;
        public int Height;
        public DateTimeOffset CapturedUtc;
        public TimeSpan Offset;
        public float Score;
        public bool Valid;

        public void CopyFrom(Frame frame, float score)
        {
            var size = Frame.I420Size(frame.Width, frame.Height);
            if (Buffer.Length != size) Buffer = new byte[size]; // first use or a new stream size
            frame.I420.AsSpan(0, size).CopyTo(Buffer);
            Length = size;
            Width = frame.Width;
            Height = frame.Height;
            CapturedUtc = frame.CapturedUtc;
            Offset = frame.Offset;
            Score = score;
            Valid = true;
        }
    }
}
