using System.Text.Json;
using StreamWatch.Core.Config;
using StreamWatch.Mqtt.HomeAssistant;

namespace StreamWatch.Tests.Mqtt;

public class DiscoveryTests
{
    private static readonly CameraOptions[] Cameras =
    [
        new() { Name = "front", Url = "x", Rules = { new RuleOptions { Name = "door", Type = RuleType.Motion }, new RuleOptions { Name = "gate", Type = RuleType.Motion } } },
        new() { Name = "back", Url = "x" },
    ];

    /// <summary>Keys Home Assistant's MQTT platform schemas require (beyond the discovery basics).</summary>
    internal static readonly Dictionary<string, string[]> Required = new()
    {
        ["binary_sensor"] = ["state_topic"],
        ["sensor"] = ["state_topic"],
        ["camera"] = ["topic"],
    };

    [Fact]
    public void Two_entities_per_camera_and_three_per_rule()
    {
        var msgs = Discovery.Build("streamwatch", "homeassistant", Cameras, "1.0.0", "streamwatch/nodes/n1/available");
        Assert.Equal(2 * 2 + 2 * 3, msgs.Count);
        Assert.Equal(6, msgs.Count(m => m.Component == "binary_sensor"));
        Assert.Equal(2, msgs.Count(m => m.Component == "sensor"));
        Assert.Equal(2, msgs.Count(m => m.Component == "camera"));
        Assert.Contains(msgs, m => m.Topic == "homeassistant/binary_sensor/streamwatch/front_door_alert/config");
        Assert.All(msgs, m => Assert.Matches("^homeassistant/(binary_sensor|sensor|camera)/streamwatch/[A-Za-z0-9_-]+/config$", m.Topic));
    }

    [Fact]
    public void Every_payload_has_required_keys_unique_id_device_and_availability()
    {
        var msgs = Discovery.Build("home/sw", "ha", Cameras, "1.0.0", "home/sw/nodes/n1/available");
        var ids = new HashSet<string>();
        foreach (var m in msgs)
        {
            var r = JsonDocument.Parse(m.Payload).RootElement;
            foreach (var key in Required[m.Component]) Assert.False(string.IsNullOrEmpty(r.GetProperty(key).GetString()), $"{m.Topic} lacks {key}");
            Assert.True(ids.Add(r.GetProperty("unique_id").GetString()!), "unique_id repeats");
            Assert.False(string.IsNullOrEmpty(r.GetProperty("name").GetString()));
            var device = r.GetProperty("device");
            Assert.NotEmpty(device.GetProperty("identifiers").EnumerateArray());
            Assert.False(string.IsNullOrEmpty(device.GetProperty("name").GetString()));
            var avail = Assert.Single(r.GetProperty("availability").EnumerateArray());
            Assert.Equal("home/sw/nodes/n1/available", avail.GetProperty("topic").GetString());
            Assert.Equal("online", avail.GetProperty("payload_available").GetString());
            if (m.Component == "binary_sensor")
            {
                Assert.Equal(JsonValueKind.String, r.GetProperty("payload_on").ValueKind);
                Assert.Equal(JsonValueKind.String, r.GetProperty("payload_off").ValueKind);
            }
        }
    }

    [Fact]
    public void Entities_point_at_the_topics_the_sink_publishes()
    {
        var msgs = Discovery.Build("sw", "homeassistant", Cameras, "1", "sw/nodes/n1/available");
        string Get(string objectId, string key) => JsonDocument.Parse(msgs.Single(m => m.Topic.Contains("/" + objectId + "/")).Payload)
            .RootElement.GetProperty(key).GetString()!;
        Assert.Equal("sw/front/motion", Get("front_motion", "state_topic"));
        Assert.Equal("sw/back/status", Get("back_status", "state_topic"));
        Assert.Equal("sw/front/door/state", Get("front_door_alert", "state_topic"));
        Assert.Equal("sw/front/door/state", Get("front_door_description", "state_topic"));
        Assert.Equal("sw/front/gate/snapshot", Get("front_gate_snapshot", "topic"));
    }

    [Fact]
    public void Two_nodes_publish_the_same_entities_and_differ_only_in_availability()
    {
        var a = Discovery.Build("sw", "homeassistant", Cameras, "1", "sw/nodes/a/available");
        var b = Discovery.Build("sw", "homeassistant", Cameras, "1", "sw/nodes/b/available");
        Assert.Equal(a.Select(m => m.Topic), b.Select(m => m.Topic));
        foreach (var (x, y) in a.Zip(b))
            Assert.Equal(System.Text.Encoding.UTF8.GetString(x.Payload).Replace("sw/nodes/a/available", "sw/nodes/b/available"), System.Text.Encoding.UTF8.GetString(y.Payload));
    }
}
