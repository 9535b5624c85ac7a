using StreamWatch.Core.Alerts;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;
using static StreamWatch.IntegrationTests.Mqtt.MqttTestKit;

namespace StreamWatch.IntegrationTests.Mqtt;

/// <summary>Nothing lost: broker outages, a daemon killed while the broker is down, the Last Will.</summary>
public class MqttDeliveryTests
{
    private static IEnumerable<string> Ids(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => $"a{i}");

    [Fact]
    public async Task A_broker_outage_loses_no_alert_and_keeps_order()
    {
        await using var broker = await MosquittoBroker.StartAsync(persistence: true);
        var dir = Repo.TempDir("mqtt-outage");
        await using var sub = broker.Subscribe("streamwatch/events", "outage-sub", persistent: true);
        await broker.WaitSubscribedAsync("outage-sub");
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        await using var sink = new MqttSink(Options(broker.Port, dir), [Camera()], jpeg, log, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        foreach (var id in Ids(1, 5)) await sink.HandleAsync(Alert(id, AlertPhase.New), default);
        await sub.WaitForLineAsync("\"id\":\"a5\"", Wait);

        await broker.StopAsync();
        await log.WaitForAsync("MQTT connection lost");
        foreach (var id in Ids(6, 25)) await sink.HandleAsync(Alert(id, AlertPhase.New), default);
        Assert.True(sink.OutboxDepth >= 20, $"outbox holds {sink.OutboxDepth}");
        await broker.StartAgainAsync();
        foreach (var id in Ids(26, 30)) await sink.HandleAsync(Alert(id, AlertPhase.New), default);

        await sub.WaitForLineAsync("\"id\":\"a30\"", Wait);
        AssertInOrder(Ids(1, 30), EventIds(sub));
        await log.WaitForAsync("MQTT connected.*"); // reconnected and drained
    }

    [Fact]
    public async Task Messages_in_flight_when_the_connection_dies_are_resent_before_anything_newer()
    {
        await using var broker = await MosquittoBroker.StartAsync(persistence: true);
        var dir = Repo.TempDir("mqtt-inflight");
        await using var sub = broker.Subscribe("streamwatch/events", "inflight-sub", persistent: true);
        await broker.WaitSubscribedAsync("inflight-sub");
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        await using var sink = new MqttSink(Options(broker.Port, dir), [Camera()], jpeg, log, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        await log.WaitForAsync("MQTT connected");

        broker.Freeze(); // SIGSTOP: what is sent now stays unacknowledged
        foreach (var id in Ids(1, 10)) await sink.HandleAsync(Alert(id, AlertPhase.New, keyframe: false), default);
        await log.WaitForAsync("MQTT connection lost"); // keepalive expires with a1..a10 in flight
        foreach (var id in Ids(11, 15)) await sink.HandleAsync(Alert(id, AlertPhase.New, keyframe: false), default);
        broker.Thaw();

        await sub.WaitForLineAsync("\"id\":\"a15\"", Wait);
        var got = EventIds(sub);
        AssertInOrder(Ids(1, 15), got);
        var lastOld = got.FindLastIndex(id => int.Parse(id[1..]) <= 10);
        Assert.True(lastOld < got.IndexOf("a11"), "a newer alert overtook a resent one: " + string.Join(",", got));
    }

    [Fact]
    public async Task A_daemon_killed_while_the_broker_is_down_delivers_every_alert_after_restart()
    {
        await using var broker = await MosquittoBroker.StartAsync(persistence: true);
        var dir = Repo.TempDir("mqtt-kill");
        var outbox = Path.Combine(dir, "outbox.db");
        await using var sub = broker.Subscribe("streamwatch/events", "kill-sub", persistent: true);
        await broker.WaitSubscribedAsync("kill-sub");

        await using (var probe = StartProbe(broker.Port, outbox, "probe-kill"))
        {
            await probe.WaitForLineAsync("MQTT connected", Wait);
            foreach (var id in Ids(1, 3)) await probe.StandardInput.WriteLineAsync($"alert {id} new");
            await probe.StandardInput.FlushAsync();
            await sub.WaitForLineAsync("\"id\":\"a3\"", Wait);

            await broker.StopAsync();
            await probe.WaitForLineAsync("MQTT connection lost", Wait);
            foreach (var id in Ids(4, 12)) await probe.StandardInput.WriteLineAsync($"alert {id} new");
            await probe.StandardInput.FlushAsync();
            await probe.WaitForLineAsync("^queued a12$", Wait); // in the outbox (committed) before this line
            probe.Signal(ChildProcess.SIGKILL);
            await probe.WaitExitAsync(Wait);
        }

        await broker.StartAgainAsync();
        await using var again = StartProbe(broker.Port, outbox, "probe-kill");
        await again.WaitForLineAsync("outbox holds 18 unacknowledged", Wait);
        await sub.WaitForLineAsync("\"id\":\"a12\"", Wait);
        AssertInOrder(Ids(1, 12), EventIds(sub));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(311)]
    public async Task The_last_will_says_offline_when_the_daemon_dies(int protocol)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var dir = Repo.TempDir("mqtt-will");
        const string available = "streamwatch/nodes/probe-will/available";
        await using var sub = broker.Subscribe(available, "will-sub");
        await broker.WaitSubscribedAsync("will-sub");
        await using var probe = StartProbe(broker.Port, Path.Combine(dir, "outbox.db"), "probe-will", protocol);
        await sub.WaitForLineAsync($"^0 1 {available} online$", Wait);
        probe.Signal(ChildProcess.SIGKILL);
        await sub.WaitForLineAsync($"^0 1 {available} offline$", Wait);

        // and it is retained
        await using var late = broker.Subscribe(available, "will-late");
        await late.WaitForLineAsync($"^1 1 {available} offline$", Wait);
    }
}
