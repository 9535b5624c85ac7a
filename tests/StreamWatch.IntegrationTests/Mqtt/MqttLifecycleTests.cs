using System.Text.Json;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Pipeline;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;
using static StreamWatch.IntegrationTests.Mqtt.MqttTestKit;

namespace StreamWatch.IntegrationTests.Mqtt;

public class MqttLifecycleTests
{
    [Fact]
    public async Task Lifecycle_messages_arrive_with_documented_payloads_and_state_topics_are_retained()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Repo.TempDir("mqtt-life");
        await using var live = broker.Subscribe("streamwatch/#", "live");
        await broker.WaitSubscribedAsync("live");
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        var sink = new MqttSink(Options(broker.Port, dir), [Camera()], jpeg, log, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        var t = DateTimeOffset.UtcNow;
        await sink.HandleAsync(new CameraStateChanged("cam1", t, TimeSpan.Zero, true, CameraStateReason.Frames), default);
        await sink.HandleAsync(new MotionChanged("cam1", t, TimeSpan.Zero, true, 0.4f), default);
        await sink.HandleAsync(Alert("a1", AlertPhase.New), default);
        await sink.HandleAsync(Alert("a1", AlertPhase.Update, keyframe: false), default);
        await sink.HandleAsync(Alert("a1", AlertPhase.End, keyframe: false), default);
        await live.WaitForLineAsync("\"type\":\"end\"", Wait);
        await live.WaitForLineAsync("^0 1 streamwatch/cam1/motion ON$", Wait);
        await live.WaitForLineAsync("^0 1 streamwatch/cam1/status online$", Wait);
        // State and events are different topics with no order between them: the end event can arrive first.
        await live.WaitForLineAsync("^0 1 streamwatch/cam1/door/state \\{\"state\":\"OFF\",\"id\":\"a1\"", Wait);

        var events = Parse(live.Lines).Where(m => m.Topic == "streamwatch/events").ToList();
        Assert.Equal(["new", "update", "end"], events.Select(e => JsonDocument.Parse(e.Payload).RootElement.GetProperty("type").GetString()));
        var end = JsonDocument.Parse(events[2].Payload).RootElement;
        Assert.Equal("a1", end.GetProperty("id").GetString());
        Assert.Equal("door", end.GetProperty("rule").GetString());
        Assert.Equal("00:00:12.500", end.GetProperty("start_offset").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", end.GetProperty("end").GetString()!);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(events[0].Payload).RootElement.GetProperty("end").ValueKind);
        Assert.Contains(live.Lines, l => l.StartsWith($"0 1 {Available} online"));

        // A late subscriber gets the retained state, the snapshot (a JPEG) and no events.
        await using var late = broker.Subscribe("streamwatch/#", "late", format: "%r %t %x");
        await late.WaitForLineAsync("^1 streamwatch/cam1/door/snapshot ffd8", Wait);
        await late.WaitForLineAsync("^1 streamwatch/cam1/motion 4f4e$", Wait); // "ON"
        await late.WaitForLineAsync("^1 streamwatch/cam1/status 6f6e6c696e65$", Wait); // "online"
        await late.WaitForLineAsync($"^1 {Available} 6f6e6c696e65$", Wait);
        var state = late.Lines.Single(l => l.StartsWith("1 streamwatch/cam1/door/state "));
        Assert.Contains("\"state\":\"OFF\"", System.Text.Encoding.UTF8.GetString(Convert.FromHexString(state.Split(' ')[2])));
        // Retained messages are delivered on SUBSCRIBE, before anything published later: a marker bounds them.
        await broker.PublishAsync("streamwatch/marker", "x");
        await late.WaitForLineAsync("^0 streamwatch/marker 78$", Wait);
        Assert.DoesNotContain(late.Lines, l => l.Contains("streamwatch/events"));

        sink.StatsSource = () => new StatsSnapshot(new Dictionary<string, CameraStats> { ["cam1"] = new(5, 0.25, 1) }, new Dictionary<string, long>());
        sink.PublishStats();
        var stats = JsonDocument.Parse(Parse(new[] { await live.WaitForLineAsync("^0 1 streamwatch/stats ", Wait) }).Single().Payload).RootElement;
        Assert.Equal(5, stats.GetProperty("cameras").GetProperty("cam1").GetProperty("fps").GetDouble());
        Assert.True(stats.GetProperty("mqtt_connected").GetBoolean());

        await sink.StopAsync(CancellationToken.None);
        await live.WaitForLineAsync($"^0 1 {Available} stopped$", Wait);
        Assert.Equal(0, sink.OutboxDepth);
        Assert.DoesNotContain(live.Lines, l => l.Contains($"{Available} offline")); // clean stop: no Last Will
    }

    [Fact]
    public async Task Mqtt_3_1_1_delivers_alerts_and_retained_state()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Repo.TempDir("mqtt-311");
        await using var live = broker.Subscribe("streamwatch/#", "live311");
        await broker.WaitSubscribedAsync("live311");
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        var options = Options(broker.Port, dir, "sw-311");
        options.ProtocolVersion = 311;
        await using var sink = new MqttSink(options, [Camera()], jpeg, log, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        await sink.HandleAsync(Alert("v311", AlertPhase.New), default);
        await live.WaitForLineAsync("\"id\":\"v311\"", Wait);
        await broker.WaitForLineAsync(@"as sw-311 \(p2,"); // mosquitto: p2 is MQTT 3.1.1
        await using var late = broker.Subscribe(Available, "late311");
        await late.WaitForLineAsync($"^1 1 {Available} online$", Wait);
        await live.WaitForLineAsync("^0 1 streamwatch/cam1/door/snapshot ", Wait);
        await WaitUntil(() => sink.OutboxDepth == 0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (!condition())
        {
            cts.Token.ThrowIfCancellationRequested();
            await Task.Delay(20); // poll inside a bounded wait
        }
    }

    [Fact]
    public async Task Discovery_configs_are_retained_and_carry_the_keys_home_assistant_requires()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Repo.TempDir("mqtt-ha");
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        await using (var sink = new MqttSink(Options(broker.Port, dir), [Camera()], jpeg, log, TimeProvider.System))
        {
            await sink.StartAsync(CancellationToken.None);
            await log.WaitForAsync("MQTT connected");
        }
        await using var sub = broker.Subscribe("homeassistant/#", "ha");
        var expected = StreamWatch.Mqtt.HomeAssistant.Discovery.Build("streamwatch", "homeassistant", [Camera()], "x", Available).Select(d => d.Topic).ToList();
        Assert.Equal(5, expected.Count);
        foreach (var topic in expected) await sub.WaitForLineAsync($"^1 1 {System.Text.RegularExpressions.Regex.Escape(topic)} ", Wait); // retained
        var configs = Parse(sub.Lines).ToList();
        Assert.Equal(expected.Order(), configs.Select(c => c.Topic).Order());
        var required = new Dictionary<string, string[]> { ["binary_sensor"] = ["state_topic"], ["sensor"] = ["state_topic"], ["camera"] = ["topic"] };
        foreach (var c in configs)
        {
            var component = c.Topic.Split('/')[1];
            var json = JsonDocument.Parse(c.Payload).RootElement;
            foreach (var key in required[component].Append("unique_id").Append("name"))
                Assert.True(json.TryGetProperty(key, out _), $"{c.Topic} lacks {key}");
            Assert.Equal(Available, json.GetProperty("availability")[0].GetProperty("topic").GetString());
            Assert.True(json.GetProperty("device").GetProperty("identifiers").GetArrayLength() > 0);
        }
    }

    [Fact]
    public async Task Retained_topics_of_a_camera_removed_from_the_config_are_cleared_at_the_next_start()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Repo.TempDir("mqtt-ledger");
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        var gone = new StreamWatch.Core.Config.CameraOptions { Name = "cam2", Url = "test", Rules = { new StreamWatch.Core.Config.RuleOptions { Name = "gate", Type = StreamWatch.Core.Config.RuleType.Motion } } };
        await using (var first = new MqttSink(Options(broker.Port, dir), [Camera(), gone], jpeg, log, TimeProvider.System))
        {
            await first.StartAsync(CancellationToken.None);
            await log.WaitForAsync("MQTT connected");
        }
        await using (var probe = broker.Subscribe("#", "before", format: "%r %t"))
            await probe.WaitForLineAsync("^1 homeassistant/camera/streamwatch/cam2_gate_snapshot/config$", Wait); // cam2 was retained

        var log2 = new TestLog();
        await using (var second = new MqttSink(Options(broker.Port, dir), [Camera()], jpeg, log2, TimeProvider.System))
        {
            await second.StartAsync(CancellationToken.None);
            await log2.WaitForAsync("clearing 9 retained topics"); // cam2: status, motion, gate state+snapshot, 5 discovery configs
            await log2.WaitForAsync("MQTT connected");
        }
        await using var late = broker.Subscribe("#", "after", format: "%r %t");
        await late.WaitForLineAsync("^1 homeassistant/binary_sensor/streamwatch/cam1_motion/config$", Wait);
        await broker.PublishAsync("marker", "x"); // retained messages arrive on SUBSCRIBE, before this
        await late.WaitForLineAsync("^0 marker$", Wait);
        Assert.DoesNotContain(late.Lines, l => l.Contains("cam2"));
        Assert.Contains(late.Lines, l => l == "1 streamwatch/cam1/status");
        Assert.Equal(RetainedLedger.Owned("streamwatch", Available, StreamWatch.Mqtt.HomeAssistant.Discovery.Build("streamwatch", "homeassistant", [Camera()], "x", Available), [Camera()]),
            RetainedLedger.Read(RetainedLedger.PathFor(Options(broker.Port, dir).OutboxPath)));
    }
}
