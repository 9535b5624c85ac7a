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
/// then emitted carrying it; an incident judged not an anomaly publishes nothing and starts no cooldown.
/// A held incident that ends before any verdict is pending (no hits or keyframes attach) until
/// its verdict: Anomaly → New (with it) and End at once, else dropped. It fails open, New + End
/// marked <see cref="Alert.Unverified"/>, when the model gives up on it (<see cref="VerdictFailed"/>,
/// at its end if that happened while it was open), <see cref="VerdictWait"/> of stream time after
/// its end, or on <see cref="Flush"/>. A published late alert starts the cooldown from its end.</item>
/// <item>Keyframes: each incident keeps the first MaxPerEvent keyframes. On opening it adopts the
/// recent keyframes (from <see cref="Lookback"/> before the opening hit, or before the time its rule
/// says the motion began, <see cref="RuleHit.MotionSince"/>), then every new keyframe while open. MotionOnsetUtc is the earliest attached keyframe's
/// capture time (the pre-roll: the last still frame before the gate opened), null without keyframes.</item>
/// </list>
/// Single-threaded: owned by one camera's loop (no lock). Output order within a call: ends first, then rules in configured order.
/// A call that emits no message allocates nothing.
/// </summary>
public sealed class AlertTracker
{
    public static readonly TimeSpan UpdateInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Lookback = TimeSpan.FromSeconds(3);
    public const float StrengthRise = 1.5f;
    /// <summary>How long a held incident that ended waits for its verdict (the model's request deadline).</summary>
    public static readonly TimeSpan VerdictWait = TimeSpan.FromSeconds(20);

    private readonly string _camera;
    private readonly Func<string, DateTimeOffset, string> _newId;
    private readonly int _maxKeyframes;
    private readonly RuleState[] _states;
    private readonly Dictionary<string, RuleState> _byName;
    private readonly List<Keyframe> _recent = new();
    private readonly List<Incident> _pending = new();   // held, ended, awaiting a verdict; oldest first

    /// <param name="maxKeyframes">Keyframes kept per alert (Keyframes:MaxPerEvent).</param>
    /// <param name="newId">Id for a new alert from its rule name and start time (<see cref="AlertIds.Next"/>).</param>
    public AlertTracker(string camera, IReadOnlyList<RuleOptions> rules, Func<string, DateTimeOffset, string> newId, int maxKeyframes = 12)
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

    /// <summary>
    /// After <see cref="Update"/>: some open incident got keyframes it did not have (one opened with
    /// recent keyframes, or new ones attached), so the model has something new to judge.
    /// </summary>
    public bool KeyframesGained { get; private set; }

    /// <summary>Feeds one analysed frame's hits and the keyframes selected on it.</summary>
    public void Update(IReadOnlyList<RuleHit> hits, TimeSpan offset, DateTimeOffset utc,
        IReadOnlyList<Keyframe> newKeyframes, List<Alert> output)
    {
        utc = utc.ToUniversalTime();
        var gained = false;
        for (var i = 0; i < _pending.Count; i++)
            if (offset - _pending[i].EndedOffset >= VerdictWait)
            {
                PublishLate(_pending[i], offset, output);
                _pending.RemoveAt(i--);
            }
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
                s.Open = new Incident(_newId(s.Rule.Name, utc), s.Rule, hit.Zone, utc, offset);
                var since = (hit.MotionSince ?? offset) - Lookback;
                foreach (var k in _recent)
                    if (k.Offset >= since) s.Open.Attach(k, _maxKeyframes);
                gained |= s.Open.Keyframes.Count > 0;
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
            foreach (var s in _states)
            {
                if (s.Open is not { } o) continue;
                var before = o.Keyframes.Count;
                o.Attach(k, _maxKeyframes);
                gained |= o.Keyframes.Count > before;
            }
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
        KeyframesGained = gained;
    }

    /// <summary>
    /// Applies a model verdict to an open alert: Update (or, for a held incident confirmed by
    /// Anomaly = true, its New). For a pending one (held, ended): New + End when confirmed, else it is
    /// dropped. False when the alert is neither open nor pending (a late verdict).
    /// </summary>
    public bool ApplyVerdict(string alertId, Verdict verdict, TimeSpan offset, DateTimeOffset utc, List<Alert> output)
    {
        if (_pending.FindIndex(i => i.Id == alertId) is var p and >= 0)
        {
            var ended = _pending[p];
            _pending.RemoveAt(p);
            ended.Verdict = verdict;
            if (verdict.Anomaly) PublishLate(ended, offset, output);
            return true;
        }
        var inc = FindOpen(alertId);
        if (inc is null) return false;
        inc.Verdict = verdict;
        if (inc.Published) Emit(inc, AlertPhase.Update, offset, output);
        else if (verdict.Anomaly) Emit(inc, AlertPhase.New, offset, output);
        return true;
    }

    /// <summary>
    /// The model gave up on a verdict for the alert (error, bad answer, deadline, open circuit, full
    /// queue). A pending one is published at once, New + End, unverified; an open held one is so
    /// published at its end unless a verdict comes first. False when the alert is neither open nor pending.
    /// </summary>
    public bool VerdictFailed(string alertId, TimeSpan offset, DateTimeOffset utc, List<Alert> output)
    {
        if (_pending.FindIndex(i => i.Id == alertId) is var p and >= 0)
        {
            PublishLate(_pending[p], offset, output);
            _pending.RemoveAt(p);
            return true;
        }
        var inc = FindOpen(alertId);
        if (inc is null) return false;
        if (!inc.Published && inc.Verdict is null) inc.VerdictFailed = true;
        return true;
    }

    /// <summary>
    /// Ends every open alert (end of stream, shutdown); held ones without a verdict, pending ones
    /// included, are published unverified (New + End), those judged not an anomaly are dropped.
    /// </summary>
    public void Flush(TimeSpan offset, DateTimeOffset utc, List<Alert> output)
    {
        foreach (var s in _states)
            if (s.Open is not null) End(s, offset, output);
        foreach (var inc in _pending) PublishLate(inc, offset, output);
        _pending.Clear();
        _recent.Clear();
    }

    private Incident? FindOpen(string alertId)
    {
        foreach (var s in _states)
            if (s.Open?.Id == alertId) return s.Open;
        return null;
    }

    private void End(RuleState s, TimeSpan offset, List<Alert> output)
    {
        var inc = s.Open!;
        s.Open = null;
        inc.EndedOffset = offset;
        if (inc.Published)
        {
            output.Add(inc.ToAlert(_camera, AlertPhase.End, offset));
            StartCooldown(s, offset);
        }
        else if (inc.Verdict is not null) { }               // judged not an anomaly: dropped
        else if (inc.VerdictFailed) PublishLate(inc, offset, output);
        else _pending.Add(inc);
    }

    /// <summary>An ended held incident goes out: New (with its verdict, or unverified) and End at once.</summary>
    private void PublishLate(Incident inc, TimeSpan offset, List<Alert> output)
    {
        inc.Unverified = inc.Verdict is null;
        Emit(inc, AlertPhase.New, offset, output);
        output.Add(inc.ToAlert(_camera, AlertPhase.End, offset));
        var s = _byName[inc.Rule.Name];
        if (inc.EndedOffset + TimeSpan.FromSeconds(s.Rule.CooldownSeconds) > s.CooldownUntil) StartCooldown(s, inc.EndedOffset);
    }

    private static void StartCooldown(RuleState s, TimeSpan from)
    {
        s.CooldownFrom = from;
        s.CooldownUntil = from + TimeSpan.FromSeconds(s.Rule.CooldownSeconds);
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
