using Microsoft.Extensions.Logging;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.Core.Keyframes;
using StreamWatch.Core.Pipeline;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;

// Usage: StreamWatch.MqttProbe <port> <outbox.db> <client-id> [prefix [protocol 5|311]]   |   StreamWatch.MqttProbe bench [--nodelay]
// stdin lines: "alert <id> <new|update|end>", "status <online|offline>", "motion <on|off>", "stop".
if (args is ["bench", ..])
{
    await StreamWatch.Benchmarks.MqttBenchmarks.RunAsync(Console.Out, brokerNoDelay: args.Contains("--nodelay"));
    return 0;
}
var options = new MqttOptions
{
    Enabled = true, Host = "127.0.0.1", Port = int.Parse(args[0]), OutboxPath = args[1], Node = args[2], ClientId = args[2],
    TopicPrefix = args.Length > 3 ? args[3] : "streamwatch", ProtocolVersion = args.Length > 4 ? int.Parse(args[4]) : 5, KeepAliveSeconds = 5, ReconnectMaxSeconds = 2,
};
var camera = new CameraOptions { Name = "cam1", Url = "test", Rules = { new RuleOptions { Name = "door", Type = RuleType.Motion } } };
var time = TimeProvider.System;
var jpeg = new OpenCvJpegEncoder();
var sink = new MqttSink(options, [camera], jpeg, new StderrLogger(), time);
await sink.StartAsync(CancellationToken.None);
Console.WriteLine("ready");
var start = time.GetUtcNow();
string? line;
while ((line = Console.ReadLine()) != null)
{
    var p = line.Split(' ');
    var now = time.GetUtcNow();
    var offset = now - start;
    switch (p[0])
    {
        case "alert":
            var phase = Enum.Parse<AlertPhase>(p[2], ignoreCase: true);
            var kf = new Keyframe("cam1", now, offset, 1f, false, 64, 48, Enumerable.Repeat((byte)128, 64 * 48 * 3 / 2).ToArray());
            var alert = new Alert
            {
                Id = p[1], Camera = "cam1", Rule = "door", Phase = phase, Start = now, StartOffset = offset, Offset = offset,
                End = phase == AlertPhase.End ? now : null, Keyframes = phase == AlertPhase.New ? [kf] : [],
            };
            await sink.HandleAsync(new AlertChanged("cam1", now, offset, alert), CancellationToken.None);
            Console.WriteLine($"queued {p[1]}");
            break;
        case "status":
            await sink.HandleAsync(new CameraStateChanged("cam1", now, offset, p[1] == "online", p[1] == "online" ? CameraStateReason.Frames : CameraStateReason.Stopped), CancellationToken.None);
            break;
        case "motion":
            await sink.HandleAsync(new MotionChanged("cam1", now, offset, p[1] == "on", 1f), CancellationToken.None);
            break;
        case "stop":
            await sink.StopAsync(CancellationToken.None);
            Console.WriteLine("stopped");
            return 0;
    }
}
return 0;

internal sealed class StderrLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) Console.Error.WriteLine($"{logLevel}: {formatter(state, exception)}{(exception != null ? " " + exception.Message : "")}");
    }
}
