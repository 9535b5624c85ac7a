using System.Net.Sockets;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamWatch.Core.Config;
using StreamWatch.Observability.Http.Api;
using StreamWatch.Observability.Prometheus;

namespace StreamWatch.Observability.Http;

/// <summary>
/// A small Kestrel host: GET /metrics (Prometheus text 0.0.4, see <see cref="MetricsCollector"/>), /healthz (alive), /readyz (200 ready,
/// 503 with a JSON body naming what is not ready) and /api/status (per-camera state).
/// /api/... (the event store and live cameras, see EventApi). With Observability:Auth set, everything
/// but /healthz and /readyz needs its credentials (ApiAuth).
/// It never handles SIGTERM itself: the daemon's host decides when to stop it.
/// </summary>
public sealed class ObservabilityServer : IAsyncDisposable
{
    private readonly ObservabilityOptions _options;
    private readonly HealthState _health;
    private readonly MetricsCollector _metrics;
    private readonly ILogger _log;
    private readonly bool _ownsMetrics;
    private readonly ApiSources _api;
    private WebApplication? _app;
    private Uri? _baseAddress;

    /// <param name="metrics">The collector to serve; null creates one now (it sees measurements from then on).</param>
    public ObservabilityServer(ObservabilityOptions options, HealthState health, MetricsCollector? metrics = null, ILogger? logger = null,
        ApiSources? api = null)
    {
        _api = api ?? new ApiSources();
        _options = options;
        _health = health;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new MetricsCollector();
        _log = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The address actually bound (with the real port when Listen asked for port 0).</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("the observability server is not started");

    public static string Version { get; } =
        typeof(ObservabilityServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Binds and starts serving; does nothing when Observability:Enabled is false.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (!_options.Enabled) { _log.LogInformation("observability endpoints disabled"); return; }
        if (_app != null) throw new InvalidOperationException("already started");
        var endPoint = _options.ListenEndPoint();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "StreamWatch.Observability",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(endPoint));
        var app = builder.Build();
        var auth = _options.Auth;
        app.Use(async (context, next) =>
        {
            if (ApiAuth.Allowed(context.Request, auth)) await next(context);
            else await ApiAuth.Challenge(context);
        });
        app.MapGet("/metrics", (HttpContext context) =>
        {
            context.Response.ContentType = MetricsCollector.ContentType;
            return _metrics.ExportAsync(context.Response.Body, context.RequestAborted);
        });
        app.MapGet("/healthz", () => Results.Text("{\"status\":\"alive\"}", "application/json"));
        app.MapGet("/readyz", () =>
        {
            var s = _health.Snapshot();
            return Results.Text(HealthJson.Readiness(s), "application/json", statusCode: s.Ready ? 200 : 503);
        });
        app.MapGet("/api/status", () => Results.Text(HealthJson.Status(_health.Snapshot(), Version), "application/json"));
        EventApi.Map(app, _api);
        WebUi.Map(app);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e) // address in use, address not available (a race lost after CannotListen said yes)
        {
            await app.DisposeAsync();
            throw new ConfigException([$"{ObservabilityOptions.Section}:Listen: cannot listen on {endPoint}: {Reason(e)}"]);
        }
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _baseAddress = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        _log.LogInformation("observability endpoints on {Address} (/metrics /healthz /readyz /api/status)", _baseAddress);
    }

    /// <summary>
    /// Why the daemon could not listen where Observability:Listen says ("the port is in use", "not an
    /// address of this host"), or null when it can: a socket is bound there and closed again, so the
    /// daemon refuses to start with a clear answer before anything else has started.
    /// </summary>
    public static string? CannotListen(ObservabilityOptions options)
    {
        var endPoint = options.ListenEndPoint();
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try { socket.Bind(endPoint); return null; }
        catch (SocketException e) { return $"cannot listen on {endPoint}: {Reason(e)}"; }
    }

    private static string Reason(Exception e)
    {
        var socket = e as SocketException;
        for (var x = e.InnerException; socket == null && x != null; x = x.InnerException) socket = x as SocketException; // Kestrel wraps it twice
        return Reason(socket?.SocketErrorCode, e.Message);
    }

    private static string Reason(SocketError? code, string message) => code switch
    {
        SocketError.AddressAlreadyInUse => "the port is in use by another process",
        SocketError.AddressNotAvailable => "the address is not one of this host's addresses",
        SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
        _ => message,
    };

    public async Task StopAsync(CancellationToken ct)
    {
        if (_app is { } app) await app.StopAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync();
        }
        if (_ownsMetrics) _metrics.Dispose();
    }

    /// <summary>Keeps the web host from hooking SIGTERM/SIGINT: the daemon's own host owns those.</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
