using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Cluster;

/// <summary>One alert message as a subscriber got it, in arrival order.</summary>
public sealed record AlertMessage(int Seq, string Id, string Camera, string Type, string? Reason, DateTimeOffset Start);

/// <summary>
/// Collects every `streamwatch/events` message (mosquitto_sub, QoS 1) and, from the broker's log
/// (log_type all), who published what: each "Received PUBLISH from &lt;client&gt;" line is stamped
/// with the first time a sampler (every 10 ms) saw it, an upper bound of when the broker got it.
/// </summary>
public sealed partial class MqttAlerts : IAsyncDisposable
{
    private readonly ChildProcess _sub;
    private readonly MosquittoBroker _broker;
    private readonly List<(int Line, DateTimeOffset SeenBy)> _marks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;

    private MqttAlerts(MosquittoBroker broker, ChildProcess sub)
    {
        _broker = broker; _sub = sub;
        _sampler = Task.Run(SampleAsync);
    }

    public static async Task<MqttAlerts> StartAsync(MosquittoBroker broker)
    {
        var sub = broker.Subscribe("streamwatch/events", "sw-3n-alerts", format: "%p");
        await broker.WaitSubscribedAsync("sw-3n-alerts");
        return new MqttAlerts(broker, sub);
    }

    private async Task SampleAsync()
    {
        var last = 0;
        while (!_stop.IsCancellationRequested)
        {
            var n = _broker.Lines.Count;
            if (n != last) { lock (_marks) _marks.Add((n, DateTimeOffset.UtcNow)); last = n; }
            try { await Task.Delay(10, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>Every alert message so far, in arrival order.</summary>
    public IReadOnlyList<AlertMessage> All() => _sub.Lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith('{')).Select(x =>
    {
        var j = JsonNode.Parse(x.l)!;
        return new AlertMessage(x.i, (string)j["id"]!, (string)j["camera"]!, (string)j["type"]!, (string?)j["reason"], DateTimeOffset.Parse((string)j["start"]!));
    }).ToList();

    /// <summary>The broker's PUBLISH lines from <paramref name="clientId"/> with the time they were first seen.</summary>
    public IReadOnlyList<(string Line, DateTimeOffset SeenBy)> PublishesFrom(string clientId)
    {
        var lines = _broker.Lines.ToList();
        List<(int Line, DateTimeOffset SeenBy)> marks;
        lock (_marks) marks = [.. _marks];
        var result = new List<(string, DateTimeOffset)>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith($"Received PUBLISH from {clientId} ")) continue;
            var mark = marks.FirstOrDefault(m => m.Line > i);
            result.Add((lines[i], mark.Line > i ? mark.SeenBy : DateTimeOffset.UtcNow));
        }
        return result;
    }

    /// <summary>Waits until <paramref name="done"/> holds for the messages so far.</summary>
    public Task<IReadOnlyList<AlertMessage>> WaitAsync(Func<IReadOnlyList<AlertMessage>, bool> done, TimeSpan timeout) =>
        ClusterHarness.WaitAsync(() => Task.FromResult(All()), done, timeout, m => $"{m.Count} alert messages");

    /// <summary>
    /// Each alert's lifecycle in arrival order: a `new` first, then only `update`s, an `end` last.
    /// At least once: a repeated step is allowed. An `end` with reason owner-lost or restart (another
    /// run ending it from the store) may come at any point, but the alert's own steps must still be in order.
    /// </summary>
    public static List<string> LifecycleErrors(IEnumerable<AlertMessage> messages)
    {
        var errors = new List<string>();
        foreach (var alert in messages.GroupBy(m => m.Id))
        {
            var all = string.Join(",", alert.Select(m => m.Reason == null ? m.Type : $"{m.Type}({m.Reason})"));
            var own = alert.Where(m => m.Reason is not ("owner-lost" or "restart")).Select(m => m.Type).ToList();
            // new → open (again: a redelivery starts over), update only while open, end from open or ended
            var state = "none";
            foreach (var step in own)
                state = (step, state) switch
                {
                    (_, "bad") => "bad",
                    ("new", _) => "open",
                    ("update", "open") => "open",
                    ("end", "open" or "ended") => "ended",
                    _ => "bad",
                };
            if (own.Count == 0 || own[0] != "new") errors.Add($"{alert.Key}: no new first ({all})");
            else if (state == "bad") errors.Add($"{alert.Key}: out of order ({all})");
            else if (!alert.Any(m => m.Type == "end")) errors.Add($"{alert.Key}: no end ({all})");
        }
        return errors;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _sampler;
        await _sub.DisposeAsync();
    }
}
