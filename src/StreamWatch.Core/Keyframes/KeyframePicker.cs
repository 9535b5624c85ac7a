namespace StreamWatch.Core.Keyframes;

/// <summary>Chooses which of an event's keyframes go into one model request.</summary>
public static class KeyframePicker
{
    /// <summary>
    /// Picks at most <paramref name="max"/> keyframes: the highest-score one first (earliest on
    /// ties), then repeatedly the one farthest in time from those already picked (higher score,
    /// then earlier, on ties), so the picks spread over the event. Returned in time order.
    /// </summary>
    public static Keyframe[] Pick(IReadOnlyList<Keyframe> keyframes, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var sorted = keyframes.OrderBy(k => k.Offset).ToArray(); // stable
        if (sorted.Length <= max) return sorted;

        var chosen = new bool[sorted.Length];
        var peak = 0;
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i].Score > sorted[peak].Score) peak = i;
        chosen[peak] = true;

        for (var picked = 1; picked < max; picked++)
        {
            int best = -1;
            var bestDistance = TimeSpan.MinValue;
            for (var i = 0; i < sorted.Length; i++)
            {
                if (chosen[i]) continue;
                var distance = TimeSpan.MaxValue;
                for (var j = 0; j < sorted.Length; j++)
                {
                    if (!chosen[j]) continue;
                    var d = (sorted[i].Offset - sorted[j].Offset).Duration();
                    if (d < distance) distance = d;
                }
                if (distance > bestDistance || (distance == bestDistance && sorted[i].Score > sorted[best].Score))
                {
                    best = i;
                    bestDistance = distance;
                }
            }
            chosen[best] = true;
        }

        var result = new Keyframe[max];
        for (int i = 0, n = 0; i < sorted.Length; i++)
            if (chosen[i]) result[n++] = sorted[i];
        return result;
    }
}
