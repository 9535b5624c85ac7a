using System.Text.RegularExpressions;
using StreamWatch.IntegrationTests.Daemon;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Store;
using StreamWatch.Store.Postgres;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>
/// PostgreSQL lost while the daemon runs: the store sink's failures are counted
/// (streamwatch_sink_errors_total{sink="store"}) and logged, alerts still leave over MQTT, writes
/// resume once PostgreSQL is back, and the daemon stops cleanly. Real PostgreSQL (stopped mid-run), real mosquitto, the real daemon.
/// </summary>
public sealed class PostgresLostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private const string New = """streamwatch/events .*"type":"new""", End = """streamwatch/events .*"type":"end""";

    [Fact]
    public async Task Postgres_stopped_mid_run_is_counted_and_logged_and_alerts_still_leave_over_mqtt()
    {
        var pg = await PostgresServer.StartAsync();
        var dir = Repo.TempDir("pglost");
        try
        {
            var cs = await pg.CreateDatabaseAsync("lost");
            var password = new Npgsql.NpgsqlConnectionStringBuilder(cs).Password!;
            await using var broker = await MosquittoBroker.StartAsync();
            await using var sub = broker.Subscribe("streamwatch/events", "sw-pglost-sub");
            await broker.WaitSubscribedAsync("sw-pglost-sub");
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 8, enterS: 2);
            var cameras = $$"""
                [{"Name": "demo", "Url": "{{clip}}", "Loop": true, "Realtime": true, "AnalysisFps": 5,
                  "Zones": [{"Name": "path", "Polygon": "0,0.4 1,0.4 1,1 0,1"}],
                  "Rules": [{"Name": "intrusion", "Zone": "path", "EndAfterSeconds": 1, "CooldownSeconds": 1}]}]
                """;
            var extra = $$$""", "Store": {"Provider": "postgres", "ConnectionString": "{{{cs}}}"}, "Mqtt": {"Enabled": true, "Port": {{{broker.Port}}}, "Discovery": {"Enabled": false}}""";
            await using var daemon = await DaemonProcess.StartAsync(cameras, extra: extra);
            await sub.WaitForLineAsync(End, Wait);
            Assert.Equal(0, daemon.Process.CountLines("sink store failed"));

            await pg.StopAsync(); // fast shutdown: the database is gone
            var news = sub.CountLines(New);
            await daemon.Process.WaitForLineAsync("sink store failed", Wait);
            await sub.WaitForLineAsync(New, Wait, occurrence: news + 1); // a new incident after the loss still leaves
            var metrics = (await daemon.GetAsync("metrics")).Body;
            var errors = Regex.Match(metrics, @"^streamwatch_sink_errors_total\{sink=""store""\} (\d+)", RegexOptions.Multiline);
            Assert.True(errors.Success && long.Parse(errors.Groups[1].Value) > 0, metrics);

            // PostgreSQL back: a later incident is stored again (pooled connections broken by the stop are replaced)
            await pg.StartAgainAsync();
            var back = DateTimeOffset.UtcNow;
            using var store = await PostgresEventStore.OpenAsync(cs, new StoreLimits(TimeSpan.FromDays(3650), long.MaxValue / 4));
            var deadline = DateTimeOffset.UtcNow + Wait;
            while ((await store.SearchAsync(new EventQuery { Camera = "demo", From = back })).Items.Count == 0)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "no incident stored after PostgreSQL came back:\n" + daemon.Process.Tail());
                await daemon.Process.WaitForLineAsync("ALERT new", Wait, occurrence: daemon.Process.CountLines("ALERT new") + 1); // the next incident
            }
            Assert.Equal(0, await daemon.StopAsync());
            Assert.DoesNotContain(password, daemon.Process.Output);
        }
        finally
        {
            await pg.DisposeAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
