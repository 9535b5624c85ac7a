using StreamWatch.Core.Config;
using StreamWatch.Mqtt;
using StreamWatch.Mqtt.HomeAssistant;

namespace StreamWatch.Tests.Mqtt;

public class RetainedLedgerTests
{
    private static CameraOptions Cam(string name, params string[] rules)
    {
        var c = new CameraOptions { Name = name, Url = "test" };
        foreach (var r in rules) c.Rules.Add(new RuleOptions { Name = r, Type = RuleType.Motion });
        return c;
    }

    private static IReadOnlyList<string> Owned(params CameraOptions[] cams) =>
        RetainedLedger.Owned("sw", "sw/nodes/n1/available", Discovery.Build("sw", "homeassistant", cams, "1", "sw/nodes/n1/available"), cams);

    [Fact]
    public void Owned_lists_state_snapshot_and_discovery_topics_of_every_camera_and_rule()
    {
        var owned = Owned(Cam("cam1", "door"));
        Assert.Contains("sw/nodes/n1/available", owned);
        Assert.Contains("sw/cam1/status", owned);
        Assert.Contains("sw/cam1/motion", owned);
        Assert.Contains("sw/cam1/door/state", owned);
        Assert.Contains("sw/cam1/door/snapshot", owned);
        Assert.Contains("homeassistant/binary_sensor/sw/cam1_door_alert/config", owned);
        Assert.DoesNotContain("sw/events", owned); // not retained
    }

    [Fact]
    public void A_removed_camera_and_a_removed_rule_are_stale_and_nothing_still_configured_is()
    {
        var before = Owned(Cam("cam1", "door", "yard"), Cam("cam2", "gate"));
        var after = Owned(Cam("cam1", "door"));
        var stale = RetainedLedger.Stale(before, after);
        Assert.Contains("sw/cam2/status", stale);
        Assert.Contains("sw/cam2/gate/snapshot", stale);
        Assert.Contains("homeassistant/binary_sensor/sw/cam2_motion/config", stale);
        Assert.Contains("sw/cam1/yard/state", stale);
        Assert.Contains("homeassistant/camera/sw/cam1_yard_snapshot/config", stale);
        Assert.Empty(stale.Intersect(after));
        Assert.Equal(before.Count - after.Count, stale.Count);
        Assert.Empty(RetainedLedger.Stale(after, after));
    }

    [Fact]
    public void The_ledger_file_round_trips_and_a_missing_one_reads_as_empty()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sw-ledger-" + Guid.NewGuid().ToString("N"));
        try
        {
            var path = RetainedLedger.PathFor(Path.Combine(dir, "state", "outbox.db"));
            Assert.Empty(RetainedLedger.Read(path));
            var topics = Owned(Cam("cam1", "door"));
            RetainedLedger.Write(path, topics);
            Assert.Equal(topics, RetainedLedger.Read(path));
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_availability_topic_of_an_earlier_version_or_node_name_is_stale()
    {
        var cams = new[] { Cam("cam1", "door") };
        var before = new List<string>(Owned(cams)) { "sw/available" }; // before per-node topics
        Assert.Equal(["sw/available"], RetainedLedger.Stale(before, Owned(cams)));
    }
}
