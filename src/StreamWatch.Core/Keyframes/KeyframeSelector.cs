using StreamWatch.Core.Frames;
using StreamWatch.Core.Gate;

namespace StreamWatch.Core.Keyframes;

/// <summary>
/// Chooses keyframes while the motion gate is open. Call <see cref="Offer"/> for every analysed
/// frame, gate open or not, in stream order.
/// <para>
/// Events: a gate opening starts an event unless it comes at most MergeGapSeconds after the gate
/// last closed; then it continues that event (same budget, same age, no second pre-roll). The
/// gate's own openings and closings are not changed by this.
/// </para>
/// <para>
/// Windows: while the gate is open, frames are grouped into consecutive windows. A window starts
/// with its first frame (offset <c>s</c>) and holds every later frame whose offset is below
/// <c>s + L</c>. The first frame at or past <c>s + L</c> (or one whose offset went backwards) ends
/// the window: its peak-score frame (earliest on ties) is emitted and that frame starts the next
/// window. <c>L = max(B, SpacingGrowth × (s − event start))</c>, where <c>B</c> is 1/StrongFps when
/// the window's peak score so far is ≥ StrongScore and 1/WeakFps otherwise. So an event's first
/// window follows the steady rate (2.5 keyframes/s for strong motion at 5 analysed fps, 0.5/s for
/// weak; a strong frame late in a weak window shortens it at once), and after that each keyframe
/// comes at about (1 + SpacingGrowth) times the event age of the one before (growth 3: 0.4, 1.6,
/// 6.4, 25.6, 102 s …): a long event costs O(log duration) keyframes.
/// </para>
/// <para>
/// Closing: when the gate closes (or <see cref="Flush"/>), the pending window is emitted only if
/// the event has no window keyframe yet (so a short event still gets its onset peak) or a keyframe
/// was requested; otherwise it is dropped, and a continuing opening starts a new window.
/// </para>
/// <para>
/// Pre-roll: while the gate is closed the latest frame is copied into a reusable buffer; when an
/// event starts that frame is emitted once with <see cref="Keyframe.PreRoll"/> set. At most
/// MaxPerEvent keyframes (pre-roll included) are emitted per event, plus requested ones. Nothing is allocated per frame
/// except when a keyframe is emitted (its own copy of the image); the two image buffers are sized
/// on first use.
/// </para>
/// </summary>
public sealed class KeyframeSelector
{
    private readonly KeyframeOptions _options;
    private readonly string _camera;
    private readonly TimeSpan _strongWindow;
    private readonly TimeSpan _weakWindow;
    private readonly TimeSpan _mergeGap;
    private readonly double _growth;
    private readonly float _strongScore;
    private readonly Snapshot _lastClosed = new();
    private readonly Snapshot _windowBest = new();
    private TimeSpan _windowStart;
    private TimeSpan _eventStart;
    private TimeSpan _closedAt;
    private bool _open;
    private bool _inEvent;
    private bool _requested;
    private int _emitted;
    private int _windowKeyframes;

    public KeyframeSelector(KeyframeOptions options, string camera)
    {
        _options = options;
        _camera = camera;
        _strongWindow = options.StrongWindow;
        _weakWindow = options.WeakWindow;
        _mergeGap = TimeSpan.FromSeconds(options.MergeGapSeconds);
        _growth = options.SpacingGrowth;
        _strongScore = (float)options.StrongScore;
    }

    /// <summary>Keyframes emitted in the current (or last) event, pre-roll included.</summary>
    public int EmittedThisEvent => _emitted;

    /// <summary>
    /// Asks for a keyframe soon (e.g. an alert opened and has none): the pending window ends at its
    /// steady length, so the next frame at or past it emits its peak (also when the gate closes
    /// first). Granted even when the event is at MaxPerEvent (alerts are few: their rules' cooldown
    /// limits them); cleared once a window keyframe is emitted.
    /// </summary>
    public void RequestKeyframe() => _requested = true;

    /// <param name="frame">The analysed frame; only read during the call.</param>
    /// <param name="score">Its motion score (MotionResult.Score); NaN counts as 0.</param>
    /// <param name="gateOpen">Gate state after this frame.</param>
    /// <param name="transition">Gate transition on this frame (Opened starts or continues an event).</param>
    /// <param name="output">Receives the keyframes emitted by this call (appended).</param>
    /// <param name="moving">Where the frame's changed pixels are (MotionResult.ChangedBounds), kept with its keyframe.</param>
    public void Offer(Frame frame, float score, bool gateOpen, GateTransition transition, List<Keyframe> output, Box? moving = null)
    {
        if (float.IsNaN(score)) score = 0;
        if (!gateOpen)
        {
            if (_open)
            {
                _open = false;
                _closedAt = frame.Offset;
                EndWindow(output);
            }
            if (_options.PreRoll) _lastClosed.CopyFrom(frame, score, moving);
            return;
        }

        if (!_open || transition == GateTransition.Opened)
        {
            if (_open)
            {
                EndWindow(output);
                _closedAt = frame.Offset; // re-opened without a closed frame: a gap of zero
            }
            _open = true;
            var gap = frame.Offset - _closedAt;
            if (!_inEvent || gap < TimeSpan.Zero || gap > _mergeGap) StartEvent(frame.Offset, output);
        }
        if (frame.Offset < _eventStart) _eventStart = frame.Offset; // offsets went backwards (stream restart)

        if (Capped) return; // nothing left to choose

        if (_windowBest.Valid)
        {
            var elapsed = frame.Offset - _windowStart;
            if (elapsed >= WindowLength() || elapsed < TimeSpan.Zero)
            {
                EmitWindow(output);
                if (Capped) return;
            }
        }
        if (!_windowBest.Valid)
        {
            _windowStart = frame.Offset;
            _windowBest.CopyFrom(frame, score, moving);
        }
        else if (score > _windowBest.Score)
        {
            _windowBest.CopyFrom(frame, score, moving);
        }
    }

    /// <summary>End of stream while the gate is open: closes the event as the gate closing would.</summary>
    public void Flush(List<Keyframe> output)
    {
        if (!_open) return;
        _open = false;
        EndWindow(output);
        _inEvent = false;
    }

    private void StartEvent(TimeSpan offset, List<Keyframe> output)
    {
        _inEvent = true;
        _eventStart = offset;
        _emitted = 0;
        _windowKeyframes = 0;
        _windowBest.Valid = false;
        if (_options.PreRoll && _lastClosed.Valid)
        {
            Emit(_lastClosed, preRoll: true, output);
            _lastClosed.Valid = false; // one pre-roll per closed stretch
        }
    }

    private bool Capped => _emitted >= _options.MaxPerEvent && !_requested;

    private TimeSpan WindowLength()
    {
        var steady = _windowBest.Score >= _strongScore ? _strongWindow : _weakWindow;
        if (_requested) return steady;
        var spaced = TimeSpan.FromTicks((long)(_growth * (_windowStart - _eventStart).Ticks));
        return spaced > steady ? spaced : steady;
    }

    /// <summary>The gate closed: the pending window is kept only for an event's onset or on request.</summary>
    private void EndWindow(List<Keyframe> output)
    {
        if (_windowBest.Valid && (_windowKeyframes == 0 || _requested)) EmitWindow(output);
        _windowBest.Valid = false;
    }

    private void EmitWindow(List<Keyframe> output)
    {
        if (Emit(_windowBest, preRoll: false, output))
        {
            _windowKeyframes++;
            _requested = false;
        }
        _windowBest.Valid = false;
    }

    private bool Emit(Snapshot s, bool preRoll, List<Keyframe> output)
    {
        if (_emitted >= _options.MaxPerEvent && (preRoll || !_requested)) return false;
        _emitted++;
        output.Add(new Keyframe(_camera, s.CapturedUtc, s.Offset, s.Score, preRoll, s.Width, s.Height,
            s.Buffer.AsSpan(0, s.Length).ToArray(), s.Moving));
        return true;
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
        public Box? Moving;
        public bool Valid;

        public void CopyFrom(Frame frame, float score, Box? moving)
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
            Moving = moving;
            Valid = true;
        }
    }
}
