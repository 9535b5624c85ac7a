using System.Text.Json;
using StreamWatch.IntegrationTests.Mqtt;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>The whole daemon publishing to a real mosquitto: motion, alert lifecycle and snapshot from a generated clip.</summary>
public class DaemonMqttTests
{
    [Fact]
    public async Task A_box_crossing_a_zone_reaches_a_subscriber_as_motion_new_and_end_with_a_snapshot()
    {
        var dir = Repo.TempDir("daemonmqtt");
        await using var broker = await MosquittoBroker.StartAsync();
        await using var sub = broker.Subscribe("streamwatch/#", "sw-daemon-sub");
        await broker.WaitSubscribedAsync("sw-daemon-sub");

        var clip = await TestClips.MovingBoxAsync(dir, seconds: 10, enterS: 2);
        var cameras = $$"""[{"Name": "yard", "Url": "{{clip}}", "Zones": [{"Name": "lawn", "Polygon": "0,0.4 1,0.4 1,1 0,1"}], "Rules": [{"Name": "intrusion", "Zone": "lawn", "EndAfterSeconds": 2}]}]""";
        var mqtt = $$$""", "Mqtt": {"Enabled": true, "Port": {{{broker.Port}}}, "Discovery": {"Enabled": false}}""";
        await using var daemon = await DaemonProcess.StartAsync(cameras, extra: mqtt);
        // No Node or ClientId configured: both come from the host name.
        var node = StreamWatch.Mqtt.Topics.NodeId(Environment.MachineName);
        var available = $"streamwatch/nodes/{node}/available";
        await broker.WaitForLineAsync($"as streamwatch-{System.Text.RegularExpressions.Regex.Escape(node)} \\(");

        await sub.WaitForLineAsync("""streamwatch/events .*"type":"end".*"rule":"intrusion""", MqttTestKit.Wait);
        var messages = MqttTestKit.Parse(sub.Lines).ToList();
        Assert.Contains((false, available, "online"), messages);
        Assert.Contains((false, "streamwatch/yard/motion", "ON"), messages);
        Assert.Contains(messages, m => m.Topic == "streamwatch/yard/intrusion/snapshot");
        var events = messages.Where(m => m.Topic == "streamwatch/events").Select(m => JsonDocument.Parse(m.Payload).RootElement).ToList();
        Assert.Equal("new", events[0].GetProperty("type").GetString());
        Assert.Equal("yard", events[0].GetProperty("camera").GetString());
        Assert.Equal("lawn", events[0].GetProperty("zone").GetString());
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3}$", events[0].GetProperty("start_offset").GetString()!);
        Assert.Equal(JsonValueKind.Null, events[0].GetProperty("end").ValueKind);
        Assert.Equal("end", events[^1].GetProperty("type").GetString());
        Assert.Equal(events[0].GetProperty("id").GetString(), events[^1].GetProperty("id").GetString());

        // a client that subscribes later gets the retained state and the snapshot
        await using (var late = broker.Subscribe("streamwatch/#", "sw-daemon-late"))
        {
            await late.WaitForLineAsync($"^1 1 {available} online", MqttTestKit.Wait);
            await late.WaitForLineAsync("^1 1 streamwatch/yard/intrusion/snapshot ", MqttTestKit.Wait);
        }

        Assert.Equal(0, await daemon.StopAsync());
        await sub.WaitForLineAsync($"^0 1 {available} stopped", MqttTestKit.Wait);
        Directory.Delete(dir, true);
    }
}
