using System.Text.Json;
using StreamWatch.IntegrationTests.Daemon;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Store;
using StreamWatch.Store.Postgres;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>The real daemon with Store:Provider=postgres against a real PostgreSQL.</summary>
public sealed class PostgresDaemonTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_demo_cameras_alerts_go_to_postgres_and_the_api_shows_them_without_the_password()
    {
        await using var pg = await PostgresServer.StartAsync();
        var cs = await pg.CreateDatabaseAsync("daemon");
        var password = new Npgsql.NpgsqlConnectionStringBuilder(cs).Password!;
        var dir = Repo.TempDir("pgdaemon");
        var clip = await TestClips.MovingBoxAsync(dir, seconds: 8, enterS: 2);
        var cameras = $$"""
            [{"Name": "demo", "Url": "{{clip}}", "Loop": true, "Realtime": true, "AnalysisFps": 5,
              "Zones": [{"Name": "path", "Polygon": "0,0.4 1,0.4 1,1 0,1"}],
              "Rules": [{"Name": "intrusion", "Zone": "path", "EndAfterSeconds": 1, "CooldownSeconds": 1}]}]
            """;
        await using (var daemon = await DaemonProcess.StartAsync(cameras, extra: $$""", "Store": {"Provider": "postgres", "ConnectionString": "{{cs}}"}"""))
        {
            await daemon.Process.WaitForLineAsync("ALERT end", Wait);
            var (_, body) = await daemon.GetAsync("api/events?camera=demo");
            var items = JsonDocument.Parse(body).RootElement.GetProperty("items");
            Assert.True(items.GetArrayLength() >= 1, body);
            var id = items[0].GetProperty("id").GetString()!;
            Assert.Equal("demo", items[0].GetProperty("camera").GetString());
            foreach (var path in new[] { "api/events", $"api/events/{id}", "api/status", "metrics" })
                Assert.DoesNotContain(password, (await daemon.GetAsync(path)).Body);
            Assert.False(File.Exists(Path.Combine(daemon.StateDir, "events.db"))); // nothing went to SQLite
            Assert.Equal(0, await daemon.StopAsync());
            Assert.DoesNotContain(password, daemon.Process.Output);

            using var store = await PostgresEventStore.OpenAsync(cs, new StoreLimits(TimeSpan.FromDays(3650), long.MaxValue / 4));
            var stored = (await store.GetAsync(id))!;
            Assert.Equal("intrusion", stored.Event.Rule);
            Assert.Contains(stored.Lifecycle, l => l.Phase == "new");
        }
        Npgsql.NpgsqlConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("")]
    [InlineData(", \"ConnectionString\": \"Host=db;Password=pw-Xq7;Frobnicate=1\"")]
    public async Task Postgres_without_a_usable_connection_string_exits_78_naming_the_key_and_not_its_value(string cs)
    {
        var dir = Repo.TempDir("pgcfg");
        var config = Path.Combine(dir, "c.json");
        await File.WriteAllTextAsync(config, "{\"Cameras\": [], \"Output\": {\"StateDirectory\": \"state\"}, \"Store\": {\"Provider\": \"postgres\"" + cs + "}}");
        await using var p = ChildProcess.Start("dotnet", [Repo.DaemonDll, "run", "--config", config], workDir: dir);
        Assert.Equal(78, await p.WaitExitAsync(Wait));
        Assert.Contains("Store:ConnectionString", p.Output);
        Assert.DoesNotContain("pw-Xq7", p.Output);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Postgres_unreachable_at_start_is_exit_69_naming_the_key_and_not_the_connection_string()
    {
        var dir = Repo.TempDir("pg69");
        try
        {
            var port = FreePort.Get(); // nothing listens there
            var cs = $"Host=127.0.0.1;Port={port};Username=sw;Password=pw-Zr81k;Database=events";
            var config = Path.Combine(dir, "c.json");
            await File.WriteAllTextAsync(config, $$$"""
                {"Cameras": [], "Output": {"StateDirectory": "state"}, "Observability": {"Listen": "127.0.0.1:{{{FreePort.Get()}}}"},
                 "Store": {"Provider": "postgres", "ConnectionString": "{{{cs}}}"}}
                """);
            await using var p = ChildProcess.Start("dotnet", [Repo.DaemonDll, "run", "--config", config], workDir: dir);
            Assert.Equal(69, await p.WaitExitAsync(Wait));
            Assert.Contains("streamwatch: Store:ConnectionString:", p.Output);
            Assert.DoesNotContain("Hosting failed", p.Output); // one clear line, not a start failure with its stack trace
            Assert.DoesNotContain("   at ", p.Output);
            Assert.Contains($"127.0.0.1:{port}", p.Output);
            Assert.DoesNotContain("pw-Zr81k", p.Output);
            Assert.DoesNotContain(cs, p.Output);
        }
        finally { Directory.Delete(dir, true); }
    }
}
