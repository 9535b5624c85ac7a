using StreamWatch.Core.Config;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Rules;
using StreamWatch.Core.Verdicts;

namespace StreamWatch.Core.Alerts;

/// <summary>
/// Turns a camera's rule hits into alert messages with the lifecycle New → Update* → End.
/// <list type="bullet">
/// <item>A hit for a rule with no open incident and not in cooldown opens one (New, severity from
/// the rule). Further hits extend it (deduped: no message per hit).</item>
/// <item>Update is emitted only for a change (keyframes attached, peak strength ≥ 1.5× the last
/// reported one) and at most once per <see cref="UpdateInterval"/> of stream time; a verdict
/// (<see cref="ApplyVerdict"/>) is emitted at once, and so is the first keyframe of an alert
/// that was published without one.</item>
/// <item>No hit for EndAfterSeconds → End (End = time of the last hit); then the rule is in cooldown
/// for CooldownSeconds: hits in it are ignored and open nothing.</item>
/// <item>RequireVerification: New is held back until a verdict with Anomaly = true arrives and is
/// then emitted carrying it; an incident that ends unconfirmed publishes nothing and starts no cooldown.</item>
/// <item>Keyframes: each incident keeps the first MaxPerEvent keyframes. On opening it adopts the
/// recent keyframes (last <see cref="Lookback"/>, plus Seconds for loiter, whose motion began that
/// long ago), then every new keyframe while open. MotionOnsetUtc is the earliest attached keyframe's
/// capture time (the pre-roll: the last still frame before the gate opened), null without keyframes.</item>
/// </list>
/// Thread-safe (one lock); output order within a call: ends first, then rules in configured order.
/// A call that emits no message allocates nothing.
/// </summary>
public sealed class AlertTracker
{
    public static readonly TimeSpan UpdateInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Lookback = TimeSpan.FromSeconds(3);
    public const float StrengthRise = 1.5f;

    private readonly string _camera;
    private readonly Func<string> _newId;
    private readonly int _maxKeyframes;
    private readonly RuleState[] _states;
    private readonly Dictionary<string, RuleState> _byName;
    private readonly List<Keyframe> _recent = new();
    private readonly object _lock = new();

    /// <param name="maxKeyframes">Keyframes kept per alert (Keyframes:MaxPerEvent).</param>
    public AlertTracker(string camera, IReadOnlyList<RuleOptions> rules, Func<string> newId, int maxKeyframes = 12)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeyframes, 1);
        _camera = camera;
        _newId = newId;
        _maxKeyframes = maxKeyframes;
        _states = rules.Select(r => new RuleState(r)).ToArray();
        _byName = _states.ToDictionary(s => s.Rule.Name);
    }

    /// <summary>Snapshots of the open incidents, held (unconfirmed) ones included, in rule order.</summary>
    public IReadOnlyCollection<Alert> Open
    {
        get
        {
            lock (_lock)
                return _states.Where(s => s.Open is not null)
                    .Select(s => s.Open!.ToAlert(_camera, s.Open.Published ? AlertPhase.Update : AlertPhase.New, s.Open.LastHitOffset))
                    .ToArray();
        }
    }

    /// <summary>
    /// After <see cref="Update"/>: some open incident, held (unconfirmed) ones included, has no keyframe
    /// yet, so neither a snapshot nor the model has anything to look at. The pipeline asks the
    /// keyframe selector for one.
    /// </summary>
    public bool NeedsKeyframe { get; private set; }

    /// <summary>Feeds one analysed frame's hits and the keyframes selected on it.</summary>
    public void Update(IReadOnlyList<RuleHit> hits, TimeSpan offset, DateTimeOffset utc,
        IReadOnlyList<Keyframe> newKeyframes, List<Alert> output)
    {
        utc = utc.ToUniversalTime();
        lock (_lock)
        {
            foreach (var s in _states)
                if (s.Open is { } expired && offset - expired.LastHitOffset >= TimeSpan.FromSeconds(s.Rule.EndAfterSeconds))
                    End(s, offset, output);

            for (var h = 0; h < hits.Count; h++)
            {
                var hit = hits[h];
                if (!_byName.TryGetValue(hit.Rule, out var s))
                    throw new ArgumentException($"hit for rule '{hit.Rule}' that camera '{_camera}' does not have", nameof(hits));
                if (s.Open is null)
                {
                    if (s.InCooldown(offset)) continue;
                    s.Open = new Incident(_newId(), s.Rule, hit.Zone, utc, offset);
                    var since = offset - Lookback - (s.Rule.Type == "loiter" ? TimeSpan.FromSeconds(s.Rule.Seconds) : TimeSpan.Zero);
                    foreach (var k in _recent)
                        if (k.Offset >= since) s.Open.Attach(k, _maxKeyframes);
                }
                var inc = s.Open;
                inc.LastHitOffset = offset;
                inc.LastHitUtc = utc;
                inc.Zone ??= hit.Zone;
                if (hit.Strength > inc.PeakStrength) inc.PeakStrength = hit.Strength;
            }

            for (var n = 0; n < newKeyframes.Count; n++)
            {
                var k = newKeyframes[n];
                if (_recent.Count == _maxKeyframes) _recent.RemoveAt(0);
                _recent.Add(k);
                foreach (var s in _states) s.Open?.Attach(k, _maxKeyframes);
            }

            var needs = false;
            foreach (var s in _states)
            {
                if (s.Open is not { } inc) continue;
                needs |= inc.Keyframes.Count == 0;
                if (inc.JustOpened)
                {
                    inc.JustOpened = false;
                    if (!s.Rule.RequireVerification) Emit(inc, AlertPhase.New, offset, output);
                }
                else if (inc.Published && inc.SentWithoutKeyframes && inc.Keyframes.Count > 0)
                {
                    Emit(inc, AlertPhase.Update, offset, output); // its first keyframe (snapshot) goes out at once
                }
                else if (inc.Published && offset - inc.LastMessageOffset >= UpdateInterval
                    && (inc.KeyframesChanged || inc.PeakStrength >= StrengthRise * inc.ReportedStrength && inc.PeakStrength > inc.ReportedStrength))
                {
                    Emit(inc, AlertPhase.Update, offset, output);
                }
            }
            NeedsKeyframe = needs;
        }
    }

    /// <summary>
    /// Applies a model verdict to an open alert: Update (or, for a held incident confirmed by
    /// Anomaly = true, its New). False when the alert is no longer open (a late verdict).
    /// </summary>
    public bool ApplyVerdict(string alertId, Verdict verdict, TimeSpan offset, DateTimeOffset utc, List<Alert> output)
    {
        lock (_lock)
        {
            var inc = _states.Select(s => s.Open).FirstOrDefault(i => i?.Id == alertId);
            if (inc is null) return false;
            inc.Verdict = verdict;
            if (inc.Published) Emit(inc, AlertPhase.Update, offset, output);
            else if (verdict.Anomaly) Emit(inc, AlertPhase.New, offset, output);
            return true;
        }
    }

    /// <summary>Ends every open alert (end of stream, shutdown); held ones are dropped unpublished.</summary>
    public void Flush(TimeSpan offset, DateTimeOffset utc, List<Alert> output)
    {
        lock (_lock)
        {
            foreach (var s in _states)
                if (s.Open is not null) End(s, offset, output);
            _recent.Clear();
        }
    }

    private void End(RuleState s, TimeSpan offset, List<Alert> output)
    {
        var inc = s.Open!;
        s.Open = null;
        if (!inc.Published) return;
        output.Add(inc.ToAlert(_camera, AlertPhase.End, offset));
        s.CooldownFrom = offset;
        s.CooldownUntil = offset + TimeSpan.FromSeconds(s.Rule.CooldownSeconds);
    }

    private void Emit(Incident inc, AlertPhase phase, TimeSpan offset, List<Alert> output)
    {
        output.Add(inc.ToAlert(_camera, phase, offset));
        inc.Published = true;
        inc.LastMessageOffset = offset;
        inc.KeyframesChanged = false;
        inc.SentWithoutKeyframes = inc.Keyframes.Count == 0;
        inc.ReportedStrength = inc.PeakStrength;
    }

    private sealed class RuleState(RuleOptions rule)
    {
        public RuleOptions Rule { get; } = rule;
        public Incident? Open { get; set; }
        public TimeSpan CooldownFrom { get; set; }
        public TimeSpan CooldownUntil { get; set; } = TimeSpan.MinValue;

        /// <summary>In cooldown; an offset before the cooldown began (stream restarted) is not.</summary>
        public bool InCooldown(TimeSpan offset) => offset >= CooldownFrom && offset < CooldownUntil;
    }
}
