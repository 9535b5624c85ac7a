using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Profiles;

namespace StreamWatch.Tests.Config;

public class ConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sw-config").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static ConfigException Invalid(string path) => Assert.Throws<ConfigException>(() => ConfigLoader.Load(path));

    [Fact]
    public void A_valid_camera_with_zones_and_rules_loads_with_defaults_filled_in()
    {
        var o = ConfigLoader.Load(Write("""
            {"Cameras": [{"Name": "yard", "Url": "rtsp://u:p@127.0.0.1/cam",
              "Zones": [{"Name": "gate", "Polygon": "0.5,0 1,0 1,1 0.5,1"}],
              "Rules": [{"Name": "intrusion", "Type": "zone", "Zone": "gate"}]}]}
            """));
        var cam = Assert.Single(o.Cameras);
        Assert.Equal(5, cam.AnalysisFps);
        Assert.Equal(10, cam.StallTimeoutSeconds);
        Assert.Equal("gate", cam.Rules[0].Zone);
    }

    [Theory]
    [InlineData("""{"Cameras": [{"Name": "yard"}]}""", "Cameras:0:Url")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "x", "AnalysisFps": 0}]}""", "Cameras:0:AnalysisFps")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "x", "AnalysisFps": "fast"}]}""", "Cameras:0:AnalysisFps")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "x", "Urll": "typo"}]}""", "Cameras:0:Urll")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "x", "Masks": ["0,0 1,0"]}]}""", "Cameras:0:Masks:0")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "x", "Rules": [{"Name": "r", "Type": "zone", "Zone": "nowhere"}]}]}""", "Cameras:0:Rules:0:Zone")]
    [InlineData("""{"Cameras": [{"Name": "a b", "Url": "x"}]}""", "Cameras:0:Name")]
    [InlineData("""{"Output": {"FrameQueueCapacity": 0}}""", "Output:FrameQueueCapacity")]
    [InlineData("""{"Unknown": 1}""", "Unknown")]
    [InlineData("""{"Cameras": [{"Name": "a", "Url": "x"}, {"Name": "b", "Url": "x", "AnalysisWidth": "wide"}]}""", "Cameras:1:AnalysisWidth")]
    [InlineData("""{"Mqtt": {"Tls": {"CaFil": "/x"}}}""", "Mqtt:Tls:CaFil")]
    [InlineData("""{"Mqtt": {"Password": {"value": "x"}}}""", "Mqtt:Password")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": ["rtsp://a", "rtsp://b"]}]}""", "Cameras:0:Url")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "x", "Masks": [{"a": 1}]}]}""", "Cameras:0:Masks:0")]
    [InlineData("""{"Mqtt": "on"}""", "Mqtt")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "gopher://cam.example/1"}]}""", "Cameras:0:Url")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "ftp://u:p@cam.example/x.mp4"}]}""", "Cameras:0:Url")]
    [InlineData("""{"Cameras": [{"Name": "yard", "Url": "://cam"}]}""", "Cameras:0:Url")]
    public void Invalid_configuration_names_the_offending_key(string json, string key)
    {
        var e = Invalid(Write(json));
        Assert.Contains(e.Errors, m => m.StartsWith(key + ":", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rtsp://u:p@127.0.0.1:554/cam")]
    [InlineData("RTSPS://127.0.0.1/cam")]
    [InlineData("rtmp://127.0.0.1/live/cam")]
    [InlineData("http://127.0.0.1:8080/cam.mjpg")]
    [InlineData("https://127.0.0.1/cam.m3u8")]
    [InlineData("file:///srv/clips/yard.mp4")]
    [InlineData("/srv/clips/yard.mp4")]
    [InlineData("clips/yard.mp4")]
    public void A_camera_url_of_a_supported_scheme_or_a_file_path_loads(string url)
    {
        var o = ConfigLoader.Load(Write($$"""{"Cameras": [{"Name": "yard", "Url": "{{url}}"}]}"""));
        Assert.Equal(url, o.Cameras[0].Url);
    }

    [Fact]
    public void An_unsupported_url_scheme_lists_the_supported_ones_without_echoing_the_url()
    {
        var e = Invalid(Write("""{"Cameras": [{"Name": "yard", "Url": "foo://admin:hunter2@cam"}]}"""));
        var m = Assert.Single(e.Errors);
        Assert.StartsWith("Cameras:0:Url: ", m);
        Assert.Contains("rtsp://, rtsps://, rtmp://, http://, https://, file:// or a file path", m);
        Assert.DoesNotContain("hunter2", m);
    }

    [Fact]
    public void Closed_sets_bind_to_enums_whatever_the_case()
    {
        var o = ConfigLoader.Load(Write("""
            {"Cameras": [{"Name": "yard", "Url": "x", "HwAccel": "VAAPI",
              "Zones": [{"Name": "gate", "Polygon": "0,0 1,0 1,1 0,1"}],
              "Rules": [{"Name": "stay", "Type": "Loiter", "Zone": "gate", "Severity": "CRITICAL"}]}],
             "Model": {"Backend": "OpenAI", "OpenAi": {"BaseUrl": "http://127.0.0.1:8000/v1", "Model": "m"}, "Onnx": {"Provider": "Cuda"}}}
            """));
        var (camera, rule) = (o.Cameras[0], o.Cameras[0].Rules[0]);
        Assert.Equal((HwAccelPreset.Vaapi, RuleType.Loiter, Severity.Critical), (camera.HwAccel, rule.Type, rule.Severity));
        Assert.Equal((ModelBackend.OpenAi, ExecutionProvider.Cuda), (o.Model.Backend, o.Model.Onnx.Provider));
    }

    [Theory]
    [InlineData("""{"Cameras": [{"Name": "y", "Url": "x", "Rules": [{"Name": "r", "Type": "linger"}]}]}""", "Cameras:0:Rules:0:Type", "motion, zone, loiter, direction")]
    [InlineData("""{"Cameras": [{"Name": "y", "Url": "x", "Rules": [{"Name": "r", "Type": "motion", "Severity": "2"}]}]}""", "Cameras:0:Rules:0:Severity", "info, warning, critical")]
    [InlineData("""{"Cameras": [{"Name": "y", "Url": "x", "HwAccel": "quicksync"}]}""", "Cameras:0:HwAccel", "none, nvdec, vaapi")]
    [InlineData("""{"Model": {"Backend": "onnx, openai"}}""", "Model:Backend", "none, onnx, openai")]
    [InlineData("""{"Model": {"Onnx": {"Provider": "tensorrt"}}}""", "Model:Onnx:Provider", "cpu, cuda")]
    public void A_value_outside_a_closed_set_names_the_key_and_lists_the_allowed_values(string json, string key, string allowed)
    {
        var e = Invalid(Write(json));
        Assert.Equal($"{key}: must be one of {allowed}", Assert.Single(e.Errors));
    }

    [Fact]
    public void A_malformed_value_is_not_echoed_because_it_may_be_a_secret()
    {
        var e = Invalid(Write("""{"Cameras": [{"Name": "yard", "Url": "x", "AnalysisFps": "hunter2"}]}"""));
        Assert.DoesNotContain("hunter2", string.Join("\n", e.Errors));
    }

    [Fact]
    public void Environment_style_overrides_win_over_the_file()
    {
        var o = ConfigLoader.Load(Write("""{"Cameras": [{"Name": "yard", "Url": "x"}]}"""),
            new Dictionary<string, string?> { ["Cameras:0:AnalysisFps"] = "2" });
        Assert.Equal(2, o.Cameras[0].AnalysisFps);
    }

    [Fact]
    public async Task The_generic_host_validates_the_options_on_start_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddStreamWatchOptions(ConfigLoader.Read(Write("""{"Cameras": [{"Name": "yard"}], "Output": {"FrameQueueCapacity": 0}}""")));
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Cameras:0:Url: is required", e.Failures);
        Assert.Contains(e.Failures, f => f.StartsWith("Output:FrameQueueCapacity:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_eval_verb_validates_the_configuration_too()
    {
        var labels = Write("{}");
        var code = await Program.Main(new[] { "eval", "--clips", _dir, "--labels", labels, "--config", Write("""{"Gate": {"Bogus": 1}}""") });
        Assert.Equal(ConfigException.ExitCode, code);
    }

    [Fact]
    public async Task The_executable_exits_with_78_on_invalid_configuration()
    {
        var code = await Program.Main(new[] { "replay", Write("{}"), "--config", Write("""{"Cameras": [{"Name": "yard"}]}""") });
        Assert.Equal(ConfigException.ExitCode, code);
    }
}

public class ShippedConfigTests
{
    private static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "StreamWatch.sln"))) return d.FullName;
        throw new InvalidOperationException("repo root not found");
    }

    [Theory]
    [InlineData("appsettings.json")]
    [InlineData("config/demo.json")]
    public void Every_shipped_configuration_is_valid(string file)
    {
        var o = ConfigLoader.Load(Path.Combine(Root(), file));
        Assert.NotNull(o.Gate);
    }

    [Fact]
    public void The_example_service_configuration_lacks_only_the_secrets_of_an_installed_host()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.Combine(Root(), "config/streamwatch.example.json")));
        Assert.Equal(new[] { "Model:OpenAi:ApiKeyEnv", "Mqtt:PasswordFile" }, e.Errors.Select(m => m[..m.IndexOf(": ", StringComparison.Ordinal)]).Order());
    }

    [Fact]
    public void Appsettings_states_the_defaults_of_the_code()
    {
        var shipped = ConfigLoader.Load(Path.Combine(Root(), "appsettings.json"));
        static string json(object o) => System.Text.Json.JsonSerializer.Serialize(o);
        var defaults = new AppOptions();
        Assert.Equal(json(defaults.Motion), json(shipped.Motion));
        Assert.Equal(json(defaults.Gate), json(shipped.Gate));
        Assert.Equal(json(defaults.Keyframes), json(shipped.Keyframes));
        Assert.Equal(json(defaults.Observability), json(shipped.Observability));
    }
}
