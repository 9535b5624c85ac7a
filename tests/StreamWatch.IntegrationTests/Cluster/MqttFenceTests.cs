using StreamWatch.Core.Alerts;
using StreamWatch.Core.Cluster;
using StreamWatch.Imaging;
using StreamWatch.IntegrationTests.Mqtt;
using StreamWatch.IntegrationTests.Support;
using MQTTnet;
using MQTTnet.Protocol;
using StreamWatch.Mqtt;
using StreamWatch.Mqtt.MqttNet;
using static StreamWatch.IntegrationTests.Mqtt.MqttTestKit;

namespace StreamWatch.IntegrationTests.Cluster;

/// <summary>The lease fence on the MQTT path, against a real mosquitto: held back, not dropped.</summary>
public sealed class MqttFenceTests
{
    /// <summary>A fence the test opens and closes; signals when a publisher found it closed.</summary>
    private sealed class SwitchFence : IPublishFence
    {
        private volatile bool _open = true;
        private TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool MayPublish { get { if (!_open) _refused.TrySetResult(); return _open; } }
        public Task Refused => _refused.Task;
        public void Close() { _refused = new(TaskCreationOptions.RunContinuationsAsynchronously); _open = false; }
        public void Open() => _open = true;
    }

    [Fact]
    public async Task Alerts_handled_while_the_fence_is_closed_wait_in_the_outbox_and_go_out_in_order_once_it_opens()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Repo.TempDir("mqtt-fence");
        await using var sub = broker.Subscribe("streamwatch/events", "fence-sub");
        await broker.WaitSubscribedAsync("fence-sub");
        var log = new TestLog();
        var fence = new SwitchFence();
        await using var sink = new MqttSink(Options(broker.Port, dir), [Camera()], new OpenCvJpegEncoder(), log, TimeProvider.System, fence);
        await sink.StartAsync(CancellationToken.None);
        await sink.HandleAsync(Alert("f1", AlertPhase.New, keyframe: false), default);
        await sub.WaitForLineAsync("\"id\":\"f1\"", Wait);

        fence.Close();
        foreach (var id in (string[])["f2", "f3", "f4"]) await sink.HandleAsync(Alert(id, AlertPhase.New, keyframe: false), default);
        await fence.Refused.WaitAsync(Wait); // the publisher looked, and held back
        Assert.True(sink.OutboxDepth >= 3, $"outbox holds {sink.OutboxDepth}");
        Assert.Equal(0, sub.CountLines("\"id\":\"f[234]\""));

        fence.Open();
        sink.Wake();
        await sub.WaitForLineAsync("\"id\":\"f4\"", Wait);
        Assert.Equal(["f1", "f2", "f3", "f4"], EventIds(sub));
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_publish_the_client_comes_to_write_after_the_fence_closed_never_reaches_the_broker_and_drops_the_connection()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var sub = broker.Subscribe("fence/socket", "socket-sub");
        await broker.WaitSubscribedAsync("socket-sub");
        var fence = new SwitchFence();
        using var client = new MqttClientFactory().CreateMqttClient(new FencedAdapterFactory(fence));
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e => { if (e.ClientWasConnected) dropped.TrySetResult(); return Task.CompletedTask; };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("socket-fence").Build();
        await client.ConnectAsync(options);
        await client.PublishStringAsync("fence/socket", "before", MqttQualityOfServiceLevel.AtLeastOnce);
        await sub.WaitForLineAsync("before", Wait);

        fence.Close(); // as if the node paused between the publisher's check and the client's write
        await Assert.ThrowsAnyAsync<Exception>(() => client.PublishStringAsync("fence/socket", "after-close", MqttQualityOfServiceLevel.AtLeastOnce));
        await dropped.Task.WaitAsync(Wait);

        fence.Open();
        await client.ConnectAsync(options);
        await client.PublishStringAsync("fence/socket", "reopened", MqttQualityOfServiceLevel.AtLeastOnce);
        await sub.WaitForLineAsync("reopened", Wait); // same client, later: "after-close" would have come first
        Assert.Equal(0, sub.CountLines("after-close"));
    }
}
