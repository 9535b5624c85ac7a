namespace StreamWatch.Inference.OpenAi;

/// <summary>
/// Which of several OpenAI-compatible endpoints gets the next request: the one with the fewest
/// outstanding requests among those whose circuit is closed (ties: the one picked least recently).
/// Each endpoint has its own breaker: <c>failures</c> failed attempts in a row take it out for
/// <c>openFor</c>; after that it is tried again, and one more failure takes it out again at once
/// (half-open) while one success closes it. Pure: the caller passes the time; thread-safe.
/// </summary>
public sealed class EndpointPool(int count, int failures, TimeSpan openFor)
{
    /// <summary>What a completed attempt changed, for the caller to log.</summary>
    public enum Change { None, Opened, Closed }

    private readonly object _gate = new();
    private readonly int[] _outstanding = new int[count];
    private readonly int[] _failuresInARow = new int[count];
    private readonly DateTimeOffset[] _openUntil = Enumerable.Repeat(DateTimeOffset.MinValue, count).ToArray();
    private readonly long[] _lastPicked = new long[count];
    private long _picks;

    public int Count => count;

    /// <summary>Reserves an endpoint for one attempt, or null when every circuit is open. <paramref name="avoid"/> is taken only if nothing else is healthy.</summary>
    public int? Acquire(DateTimeOffset now, int? avoid = null)
    {
        lock (_gate)
        {
            int? best = null;
            for (var i = 0; i < count; i++)
            {
                if (_openUntil[i] > now) continue;
                if (best is not { } b || Better(i, b, avoid)) best = i;
            }
            if (best is { } pick)
            {
                _outstanding[pick]++;
                _lastPicked[pick] = ++_picks;
            }
            return best;
        }
    }

    private bool Better(int i, int b, int? avoid)
    {
        if ((i == avoid) != (b == avoid)) return b == avoid;
        if (_outstanding[i] != _outstanding[b]) return _outstanding[i] < _outstanding[b];
        return _lastPicked[i] < _lastPicked[b];
    }

    /// <summary>Ends an attempt on endpoint <paramref name="i"/>: ok true/false, or null when it was cancelled (no verdict on the endpoint).</summary>
    public Change Complete(int i, bool? ok, DateTimeOffset now)
    {
        lock (_gate)
        {
            _outstanding[i]--;
            if (ok == true)
            {
                var wasOut = _failuresInARow[i] >= failures;
                _failuresInARow[i] = 0;
                return wasOut ? Change.Closed : Change.None;
            }
            if (ok == null || ++_failuresInARow[i] < failures) return Change.None;
            var opened = _openUntil[i] <= now;
            _openUntil[i] = now + openFor;
            return opened ? Change.Opened : Change.None;
        }
    }

    public int Outstanding(int i) { lock (_gate) return _outstanding[i]; }
    public bool IsOpen(int i, DateTimeOffset now) { lock (_gate) return _openUntil[i] > now; }
}
