using StreamWatch.Core.Config;
using StreamWatch.Core.State;
using StreamWatch.Mqtt.HomeAssistant;

namespace StreamWatch.Mqtt;

/// <summary>
/// Which retained topics this daemon has left on the broker, kept in a text file beside the outbox
/// (one topic per line). At start-up, the topics of cameras and rules no longer in the config are
/// cleared with an empty retained message, so Home Assistant drops their entities and a late
/// subscriber sees no ghost state. Pure, except <see cref="Read"/> and <see cref="Write"/>.
/// </summary>
public static class RetainedLedger
{
    public static string PathFor(string outboxPath) => outboxPath + ".retained";

    /// <summary>Every retained topic a run with this config publishes.</summary>
    public static IReadOnlyList<string> Owned(string prefix, string availabilityTopic, IEnumerable<DiscoveryMessage> discovery, IEnumerable<CameraOptions> cameras)
    {
        var topics = new List<string> { availabilityTopic };
        topics.AddRange(discovery.Select(d => d.Topic));
        foreach (var cam in cameras)
        {
            topics.Add(Topics.Status(prefix, cam.Name));
            topics.Add(Topics.Motion(prefix, cam.Name));
            foreach (var rule in cam.Rules)
            {
                topics.Add(Topics.RuleState(prefix, cam.Name, rule.Name));
                topics.Add(Topics.Snapshot(prefix, cam.Name, rule.Name));
            }
        }
        return topics.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Topics an earlier run left retained that this run does not own, in their earlier order.</summary>
    public static IReadOnlyList<string> Stale(IEnumerable<string> previous, IEnumerable<string> owned)
    {
        var keep = owned.ToHashSet(StringComparer.Ordinal);
        return previous.Where(t => !keep.Contains(t)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The ledger's topics; none when the file does not exist yet.</summary>
    public static IReadOnlyList<string> Read(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : [];

    /// <summary>Replaces the ledger atomically (write a temporary file, then rename).</summary>
    public static void Write(string path, IEnumerable<string> topics)
    {
        var tmp = path + ".tmp";
        using (var w = new StreamWriter(PrivateFiles.Open(tmp, FileMode.Create, FileAccess.Write, FileShare.None)))
            foreach (var t in topics) w.WriteLine(t);
        File.Move(tmp, path, overwrite: true); // the rename keeps the temporary file's 0600
    }
}
