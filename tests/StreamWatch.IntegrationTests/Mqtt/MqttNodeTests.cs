using StreamWatch.Core.Alerts;
using StreamWatch.Core.Pipeline;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;
using static StreamWatch.IntegrationTests.Mqtt.MqttTestKit;

namespace StreamWatch.IntegrationTests.Mqtt;

/// <summary>Several nodes on one broker: each its own client id and availability; alerts do not say which node sent them.</summary>
public class MqttNodeTests
{
    [Fact]
    public async Task Two_nodes_stay_connected_side_by_side_and_publish_node_independent_alerts()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Repo.TempDir("mqtt-nodes");
        await using var events = broker.Subscribe("streamwatch/events", "nodes-events");
        await using var avail = broker.Subscribe("streamwatch/nodes/+/available", "nodes-avail");
        await broker.WaitSubscribedAsync("nodes-events");
        await broker.WaitSubscribedAsync("nodes-avail");
        var jpeg = new OpenCvJpegEncoder();
        MqttOptions NodeOptions(string node)
        {
            var o = Options(broker.Port, Path.Combine(dir, node));
            o.Node = node;
            o.ClientId = ""; // derived from the node
            return o;
        }
        var logA = new TestLog();
        var a = new MqttSink(NodeOptions("node-a"), [Camera()], jpeg, logA, TimeProvider.System);
        await using var b = new MqttSink(NodeOptions("node-b"), [Camera()], jpeg, new TestLog(), TimeProvider.System);
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);
        await avail.WaitForLineAsync("^0 1 streamwatch/nodes/node-a/available online$", Wait);
        await avail.WaitForLineAsync("^0 1 streamwatch/nodes/node-b/available online$", Wait);
        await broker.WaitForLineAsync(@"as streamwatch-node-a \(");
        await broker.WaitForLineAsync(@"as streamwatch-node-b \(");

        // The same alert handed to either node is the same message on the same topic.
        var alert = Alert("shared1", AlertPhase.New, keyframe: false);
        await a.HandleAsync(alert, default);
        await b.HandleAsync(alert, default);
        await events.WaitForLineAsync("\"id\":\"shared1\"", Wait, occurrence: 2);
        var both = Parse(events.Lines).Where(m => m.Payload.Contains("\"id\":\"shared1\"")).ToList();
        Assert.Equal(2, both.Count);
        Assert.All(both, m => Assert.Equal("streamwatch/events", m.Topic));
        Assert.Equal(both[0].Payload, both[1].Payload);

        // One node stopping says so on its own topic only; the other stays connected (distinct client ids: no takeover).
        await a.StopAsync(CancellationToken.None);
        await avail.WaitForLineAsync("^0 1 streamwatch/nodes/node-a/available stopped$", Wait);
        Assert.True(b.Connected);
        Assert.DoesNotContain(avail.Lines, l => l.Contains("node-b/available") && !l.EndsWith(" online"));
        Assert.DoesNotContain(broker.Output.Split('\n'), l => l.Contains("already connected"));
        await b.HandleAsync(Alert("after-a", AlertPhase.New, keyframe: false), default);
        await events.WaitForLineAsync("\"id\":\"after-a\"", Wait);
    }

    [Fact]
    public async Task A_camera_released_to_another_node_is_not_restated_by_the_old_node_after_a_reconnect()
    {
        await using var broker = await MosquittoBroker.StartAsync(persistence: true); // retained state survives the restart
        var dir = Repo.TempDir("mqtt-release");
        await using var status = broker.Subscribe("streamwatch/cam1/status", "release-status");
        await broker.WaitSubscribedAsync("release-status");
        await using var old = new MqttSink(Options(broker.Port, dir), [Camera()], new OpenCvJpegEncoder(), new TestLog(), TimeProvider.System)
            { InitialCameraState = false }; // as in a cluster
        await old.StartAsync(CancellationToken.None);

        // the old owner stops the camera (its last word: offline) and hands it over
        await old.HandleAsync(new CameraStateChanged("cam1", DateTimeOffset.UtcNow, TimeSpan.Zero, false, CameraStateReason.Stopped), default);
        await status.WaitForLineAsync("^0 1 streamwatch/cam1/status offline$", Wait);
        old.Release("cam1");
        await broker.PublishAsync("streamwatch/cam1/status", "online", retain: true); // the new owner's state

        // the broker restarts: the old node reconnects and re-publishes the retained state it still owns
        await broker.StopAsync();
        await broker.StartAgainAsync();
        await broker.WaitForLineAsync(@"as sw-test \(");
        await old.StopAsync(CancellationToken.None); // "stopped" goes out after every state message of this connection
        await using (var avail = broker.Subscribe(Available, "release-avail"))
            await avail.WaitForLineAsync("^1 1 " + Available + " stopped$", Wait);

        await using var after = broker.Subscribe("streamwatch/cam1/status", "release-after");
        await after.WaitForLineAsync("^1 1 streamwatch/cam1/status ", Wait);
        Assert.Equal("online", Parse(after.Lines).Single(m => m.Topic == "streamwatch/cam1/status").Payload);
        Directory.Delete(dir, true);
    }
}
