namespace StreamWatch.Core.Gate;

/// <summary>
/// Hysteresis on the motion score: opens after <see cref="GateOptions.OpenFrames"/> consecutive
/// frames at or above the open threshold, closes once the score has stayed below the close
/// threshold for <see cref="GateOptions.QuietSeconds"/> of stream time. Pure: time comes only from
/// the offsets passed in (replay may run faster than real time).
/// </summary>
public sealed class MotionGate
{
    private readonly float _open, _close;
    private readonly int _openFrames;
    private readonly TimeSpan _quiet;
    private int _above;
    private TimeSpan _lastBusy;

    public MotionGate(GateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _open = (float)options.OpenThreshold;
        _close = (float)options.CloseThreshold;
        _openFrames = options.OpenFrames;
        _quiet = TimeSpan.FromSeconds(options.QuietSeconds);
    }

    public bool IsOpen { get; private set; }

    /// <summary>Feeds one analysed frame's score at its stream offset; returns what changed.</summary>
    public GateTransition Update(float score, TimeSpan offset)
    {
        if (!IsOpen)
        {
            _above = score >= _open ? _above + 1 : 0;
            if (_above < _openFrames) return GateTransition.None;
            IsOpen = true;
            _above = 0;
            _lastBusy = offset;
            return GateTransition.Opened;
        }
        // Offsets going backwards (a restarted stream without Reset) restart the quiet period.
        if (score >= _close || offset < _lastBusy) { _lastBusy = offset; return GateTransition.None; }
        if (offset - _lastBusy < _quiet) return GateTransition.None;
        IsOpen = false;
        return GateTransition.Closed;
    }

    /// <summary>Closes the gate silently and forgets all history (after a stream restart).</summary>
    public void Reset()
    {
        IsOpen = false;
        _above = 0;
        _lastBusy = TimeSpan.Zero;
    }
}
