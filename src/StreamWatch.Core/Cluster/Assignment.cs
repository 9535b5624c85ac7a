namespace StreamWatch.Core.Cluster;

/// <summary>
/// Which node should own each camera: rendezvous (HRW) hashing with bounded load. Every node ends
/// with floor(C/N) or ceil(C/N) cameras (C cameras, N live nodes). Given the current owners (the
/// claim keys), a camera stays where it is unless its node is gone or over the bound, so a join
/// moves only cameras to the new node (about C/N of them) and a leave moves only the leaver's
/// cameras. With no current owners it is the plain bounded-load HRW of (sorted nodes, cameras).
/// Pure and deterministic: every node computes the same answer from the same etcd view.
/// </summary>
public static class Assignment
{
    public static IReadOnlyDictionary<string, string> Compute(IEnumerable<string> nodes, IEnumerable<string> cameras,
        IReadOnlyDictionary<string, string>? current = null)
    {
        var live = nodes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var cams = cameras.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (live.Count == 0) return result;
        int floor = cams.Count / live.Count, cap = (cams.Count + live.Count - 1) / live.Count;
        var owned = live.ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);

        // 1. keep: each live node keeps its current cameras up to the bound (its highest-scored ones)
        var orphans = new List<string>();
        foreach (var n in live)
        {
            var mine = cams.Where(c => current != null && current.TryGetValue(c, out var o) && o == n)
                .OrderByDescending(c => Score(c, n)).ThenBy(c => c, StringComparer.Ordinal).ToList();
            owned[n].AddRange(mine.Take(cap));
            orphans.AddRange(mine.Skip(cap));
        }
        var kept = owned.Values.SelectMany(v => v).ToHashSet(StringComparer.Ordinal);
        orphans.AddRange(cams.Where(c => !kept.Contains(c) && !orphans.Contains(c)));
        orphans.Sort(StringComparer.Ordinal);

        // 2. place the rest: nodes below the floor first, then any node below the cap; highest score wins
        foreach (var c in orphans)
        {
            var below = live.Where(n => owned[n].Count < floor).ToList();
            var pool = below.Count > 0 ? below : live.Where(n => owned[n].Count < cap).ToList();
            owned[Best(c, pool)].Add(c);
        }

        // 3. a node still below the floor takes, from a node above it, the camera that scores best for it
        foreach (var n in live)
            while (owned[n].Count < floor)
            {
                var (donor, cam) = live.Where(d => owned[d].Count > floor)
                    .SelectMany(d => owned[d].Select(c => (d, c)))
                    .OrderByDescending(x => Score(x.c, n)).ThenBy(x => x.c, StringComparer.Ordinal).First();
                owned[donor].Remove(cam);
                owned[n].Add(cam);
            }

        foreach (var (n, list) in owned)
            foreach (var c in list) result[c] = n;
        return result;
    }

    private static string Best(string camera, List<string> pool) =>
        pool.OrderByDescending(n => Score(camera, n)).ThenBy(n => n, StringComparer.Ordinal).First();

    /// <summary>The HRW weight of a (camera, node) pair: FNV-1a 64 over both names, then a splitmix64 finaliser.</summary>
    public static ulong Score(string camera, string node)
    {
        var h = 14695981039346656037UL;
        foreach (var ch in camera) h = (h ^ ch) * 1099511628211UL;
        h = (h ^ 0xFFFF) * 1099511628211UL; // separator: ("ab","c") ≠ ("a","bc")
        foreach (var ch in node) h = (h ^ ch) * 1099511628211UL;
        h ^= h >> 30; h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27; h *= 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}
