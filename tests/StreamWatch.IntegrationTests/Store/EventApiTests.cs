using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using StreamWatch.Observability;
using StreamWatch.Observability.Http;
using StreamWatch.Observability.Http.Api;
using StreamWatch.Store;
using StreamWatch.Store.Sqlite;

namespace StreamWatch.IntegrationTests.Store;

/// <summary>The /api endpoints on the real listener over a real SQLite store.</summary>
public sealed class EventApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("sw-api-").FullName;
    private SqliteEventStore _store = null!;
    private ObservabilityServer _server = null!;
    private HttpClient _http = null!;

    /// <summary>A fixed set of cameras: the directory is plain data here, the daemon's is tested in StoreDaemonTests.</summary>
    private sealed class FixedCameras : ICameraDirectory
    {
        public IReadOnlyList<CameraInfo> Cameras() => [new("yard", true, null, 5, false, 1), new("garage", false, "stalled", 0, false, 0)];
        public byte[]? LatestJpeg(string name) => name == "yard" ? [0xFF, 0xD8, 0xFF, 0xD9] : null;
    }

    public async Task InitializeAsync()
    {
        _store = new SqliteEventStore(Path.Combine(_dir, "events.db"), new StoreLimits(TimeSpan.FromDays(3650), long.MaxValue / 4));
        for (var i = 0; i < 5; i++)
            await _store.RecordAlertAsync(new AlertRecord
            {
                Id = $"yard-{i}", Camera = "yard", Rule = i % 2 == 0 ? "intrusion" : "loiter", Zone = "path", Severity = "warning", Phase = "new",
                Utc = T0.AddMinutes(i), Offset = TimeSpan.FromSeconds(i), Start = T0.AddMinutes(i), StartOffset = TimeSpan.FromSeconds(i),
                Verdict = new VerdictRecord(i == 4 ? "fox" : "person", 0.5 + i / 10.0, $"event {i}: someone near the {(i == 4 ? "hedge" : "gate")}", "m", 100),
                Keyframes = [new KeyframeRecord(T0.AddMinutes(i), TimeSpan.FromSeconds(i), () => [0xFF, 0xD8, (byte)i, 0xFF, 0xD9])],
            });
        var api = new ApiSources { Store = _store, Cameras = new FixedCameras() };
        _server = new ObservabilityServer(new ObservabilityOptions { Listen = "127.0.0.1:0" }, new HealthState(), api: api);
        await _server.StartAsync(CancellationToken.None);
        _http = new HttpClient { BaseAddress = _server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private async Task<(HttpStatusCode, JsonElement)> GetJson(string path)
    {
        using var r = await _http.GetAsync(path);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return (r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Events_page_newest_first_with_a_cursor_and_search_and_filters()
    {
        var (status, page) = await GetJson("api/events?limit=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["yard-4", "yard-3"], page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        var next = page.GetProperty("next").GetString();
        var (_, page2) = await GetJson($"api/events?limit=2&cursor={next}");
        Assert.Equal(["yard-2", "yard-1"], page2.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        var (_, hedge) = await GetJson("api/events?q=hedge");
        var fox = Assert.Single(hedge.GetProperty("items").EnumerateArray());
        Assert.Equal("fox", fox.GetProperty("label").GetString());
        Assert.Equal("2026-12-01T10:04:00.000Z", fox.GetProperty("start").GetString());
        Assert.Equal("00:00:04.000", fox.GetProperty("start_offset").GetString());

        var (_, filtered) = await GetJson("api/events?camera=yard&rule=intrusion&label=person&min_confidence=0.6&from=2026-12-01T10:00:00Z&to=2026-12-01T10:03:00Z");
        Assert.Equal(["yard-2"], filtered.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("api/events?from=yesterday", "from")]
    [InlineData("api/events?to=2026-13-45", "to")]
    [InlineData("api/events?limit=0", "limit")]
    [InlineData("api/events?limit=501", "limit")]
    [InlineData("api/events?limit=ten", "limit")]
    [InlineData("api/events?min_confidence=2", "min_confidence")]
    [InlineData("api/events?cursor=abc", "cursor")]
    [InlineData("api/events?camera=attic", "camera")]
    [InlineData("api/events/yard-1/keyframes/0.png", "keyframe")]
    public async Task Bad_input_answers_400_with_a_json_reason_naming_the_parameter(string path, string parameter)
    {
        var (status, body) = await GetJson(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(parameter + ":", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Detail_keyframes_cameras_and_the_openapi_document()
    {
        var (status, d) = await GetJson("api/events/yard-1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("loiter", d.GetProperty("event").GetProperty("rule").GetString());
        Assert.Equal("new", Assert.Single(d.GetProperty("lifecycle").EnumerateArray()).GetProperty("phase").GetString());
        Assert.Equal("person", Assert.Single(d.GetProperty("verdicts").EnumerateArray()).GetProperty("label").GetString());
        var url = Assert.Single(d.GetProperty("keyframes").EnumerateArray()).GetProperty("url").GetString()!;
        Assert.Equal(new byte[] { 0xFF, 0xD8, 1, 0xFF, 0xD9 }, await _http.GetByteArrayAsync(url.TrimStart('/')));
        Assert.Equal(HttpStatusCode.NotFound, (await GetJson("api/events/nope")).Item1);
        Assert.Equal(HttpStatusCode.NotFound, (await GetJson("api/events/yard-1/keyframes/7.jpg")).Item1);

        var (_, cams) = await GetJson("api/cameras");
        Assert.Equal(["online", "offline"], cams.EnumerateArray().Select(c => c.GetProperty("state").GetString()));
        Assert.Equal(1, cams[0].GetProperty("open_alerts").GetInt32());
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }, await _http.GetByteArrayAsync("api/cameras/yard/latest.jpg"));
        Assert.Equal(HttpStatusCode.NotFound, (await GetJson("api/cameras/attic/latest.jpg")).Item1);

        var (_, doc) = await GetJson("api/openapi.json");
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var p in new[] { "/api/events", "/api/events/{id}", "/api/events/{id}/keyframes/{n}.jpg", "/api/events/stream", "/api/cameras", "/api/cameras/{name}/latest.jpg", "/api/cameras/{name}/history" })
            Assert.Contains(p, paths);
    }

    [Fact]
    public async Task The_event_stream_delivers_live_messages()
    {
        var api = new ApiSources { Store = _store };
        await using var server = new ObservabilityServer(new ObservabilityOptions { Listen = "127.0.0.1:0" }, new HealthState(), api: api);
        await server.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await http.GetAsync("api/events/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": live", await reader.ReadLineAsync()); // subscribed before this line was written
        api.Live.Publish("{\"type\":\"alert\",\"id\":\"x1\"}");
        await reader.ReadLineAsync();
        Assert.Equal("data: {\"type\":\"alert\",\"id\":\"x1\"}", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task With_credentials_configured_only_healthz_and_readyz_are_open()
    {
        var hash = PasswordHash.Create("open sesame", iterations: 10_000);
        var options = new ObservabilityOptions { Listen = "127.0.0.1:0", Auth = new AuthOptions { Token = "tok-123", User = "ops", PasswordHash = hash } };
        await using var server = new ObservabilityServer(options, new HealthState(), api: new ApiSources { Store = _store });
        await server.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        async Task<HttpStatusCode> Get(string path, AuthenticationHeaderValue? auth = null)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = auth } };
            using var r = await http.SendAsync(req);
            return r.StatusCode;
        }
        AuthenticationHeaderValue Basic(string userPass) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(userPass)));

        Assert.Equal(HttpStatusCode.OK, await Get("healthz"));
        Assert.NotEqual(HttpStatusCode.Unauthorized, await Get("readyz"));
        foreach (var path in new[] { "api/events", "api/status", "metrics", "api/openapi.json" })
            Assert.Equal(HttpStatusCode.Unauthorized, await Get(path));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("api/events", new("Bearer", "tok-124")));
        Assert.Equal(HttpStatusCode.OK, await Get("api/events", new("Bearer", "tok-123")));
        Assert.Equal(HttpStatusCode.OK, await Get("api/events", Basic("ops:open sesame")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("api/events", Basic("ops:open sesame!")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("api/events", Basic("root:open sesame")));
        Assert.DoesNotContain(hash, await http.GetStringAsync("healthz"));
    }
}
