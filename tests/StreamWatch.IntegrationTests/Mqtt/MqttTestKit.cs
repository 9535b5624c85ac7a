using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Pipeline;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Mqtt;

namespace StreamWatch.IntegrationTests.Mqtt;

/// <summary>A logger whose lines a test can await.</summary>
public sealed class TestLog : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Regex Re, TaskCompletionSource<string> Tcs)> _waiters = new();

    public IReadOnlyCollection<string> Lines => _lines;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel level, EventId id, TState state, Exception? ex, Func<TState, Exception?, string> format)
    {
        var line = $"{level}: {format(state, ex)}";
        _lines.Enqueue(line);
        lock (_waiters)
            for (var i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Re.IsMatch(line)) { _waiters[i].Tcs.TrySetResult(line); _waiters.RemoveAt(i); }
    }

    public async Task<string> WaitForAsync(string pattern, TimeSpan? timeout = null)
    {
        var re = new Regex(pattern);
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (_lines.FirstOrDefault(re.IsMatch) is { } seen) return seen;
            _waiters.Add((re, tcs));
        }
        var t = timeout ?? TimeSpan.FromSeconds(60);
        if (await Task.WhenAny(tcs.Task, Task.Delay(t)) != tcs.Task)
            throw new TimeoutException($"no log line /{pattern}/ within {t}:\n{string.Join("\n", _lines)}");
        return await tcs.Task;
    }
}

internal static class MqttTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    /// <summary>The availability topic of <see cref="Options"/> (node "test-node"); the probe's node is its client id.</summary>
    public const string Available = "streamwatch/nodes/test-node/available";

    public static CameraOptions Camera() =>
        new() { Name = "cam1", Url = "test", Rules = { new RuleOptions { Name = "door", Type = RuleType.Motion } } };

    public static MqttOptions Options(int port, string dir, string clientId = "sw-test") => new()
    {
        Enabled = true, Host = "127.0.0.1", Port = port, Node = "test-node", ClientId = clientId, KeepAliveSeconds = 5, ReconnectMaxSeconds = 2,
        OutboxPath = Path.Combine(dir, "state", "outbox.db"), StatsIntervalSeconds = 0,
    };

    public static AlertChanged Alert(string id, AlertPhase phase, bool keyframe = true)
    {
        var now = DateTimeOffset.UtcNow;
        var kf = new Keyframe("cam1", now, TimeSpan.FromSeconds(12.5), 0.8f, false, 64, 48, Enumerable.Repeat((byte)90, 64 * 48 * 3 / 2).ToArray());
        var a = new Alert
        {
            Id = id, Camera = "cam1", Rule = "door", Phase = phase, Start = now, StartOffset = TimeSpan.FromSeconds(12.5),
            Offset = TimeSpan.FromSeconds(13), End = phase == AlertPhase.End ? now : null, Keyframes = keyframe ? [kf] : [],
            Zone = "porch", Label = phase == AlertPhase.New ? null : "person", Description = phase == AlertPhase.New ? null : "someone at the door",
        };
        return new AlertChanged("cam1", now, a.Offset, a);
    }

    /// <summary>"retain qos topic payload" lines of a mosquitto_sub started by MosquittoBroker.Subscribe.</summary>
    /// <summary>Skips the extra lines a binary payload (a JPEG) breaks into.</summary>
    public static IEnumerable<(bool Retained, string Topic, string Payload)> Parse(IEnumerable<string> lines) =>
        lines.Select(l => l.Split(' ', 4)).Where(p => p.Length == 4 && p[0] is "0" or "1" && p[1] == "1")
            .Select(p => (p[0] == "1", p[2], p[3]));

    /// <summary>Alert ids in the order events arrived on a subscriber (payloads matched by regex, no JSON needed).</summary>
    public static List<string> EventIds(ChildProcess sub) => sub.Lines
        .Where(l => l.Contains(" streamwatch/events "))
        .Select(l => Regex.Match(l, "\"id\":\"([^\"]+)\"").Groups[1].Value).ToList();

    /// <summary>Every expected id arrived, first deliveries in order (QoS 1 is at-least-once: a repeat after an outage is allowed).</summary>
    public static void AssertInOrder(IEnumerable<string> expected, List<string> got) =>
        Assert.Equal(expected.ToList(), got.Distinct().ToList());

    public static string ProbeDll => Path.Combine(AppContext.BaseDirectory, "StreamWatch.MqttProbe.dll");

    public static ChildProcess StartProbe(int port, string outbox, string clientId, int protocol = 5) =>
        ChildProcess.Start("dotnet", [ProbeDll, port.ToString(), outbox, clientId, "streamwatch", protocol.ToString()], stdin: true);
}
