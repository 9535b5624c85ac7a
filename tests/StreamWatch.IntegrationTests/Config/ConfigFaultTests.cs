using System.Net;
using System.Net.Sockets;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Config;

/// <summary>The real executable on configurations a user gets wrong: exit 78, the key's full path, no value, no stack trace.</summary>
public sealed class ConfigFaultTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly string _dir = Repo.TempDir("configfault");

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<(int Code, string Output)> RunAsync(string json)
    {
        var config = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, json);
        await using var p = ChildProcess.Start("dotnet", new[] { Repo.DaemonDll, "run", "--config", config }, workDir: _dir);
        var code = await p.WaitExitAsync(Wait);
        return (code, p.Output);
    }

    private static void AssertConfigError(int code, string output, string key)
    {
        Assert.True(code == 78, $"exit {code}:\n{output}");
        Assert.Contains($"\n  {key}: ", output.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    [Fact]
    public async Task An_object_where_a_string_belongs_names_the_key_and_not_the_value()
    {
        var (code, output) = await RunAsync("""{"Mqtt": {"Enabled": true, "Username": "u", "Password": {"secret": "hunter2"}}}""");
        AssertConfigError(code, output, "Mqtt:Password");
        Assert.DoesNotContain("hunter2", output);
    }

    [Theory]
    [InlineData("foo://cam.example/1")]
    [InlineData("gopher://cam.example/1")]
    [InlineData("ftp://cam.example/x.mp4")]
    public async Task An_unsupported_url_scheme_exits_78_naming_the_camera_url(string url)
    {
        var (code, output) = await RunAsync($$"""{"Cameras": [{"Name": "yard", "Url": "{{url}}"}]}""");
        AssertConfigError(code, output, "Cameras:0:Url");
    }

    [Fact]
    public async Task A_listen_port_in_use_exits_78_naming_the_key_and_the_reason()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var (code, output) = await RunAsync($$$"""{"Observability": {"Listen": "127.0.0.1:{{{port}}}"}}""");
        AssertConfigError(code, output, "Observability:Listen");
        Assert.Contains("the port is in use by another process", output);
    }

    [Fact]
    public async Task A_listen_address_the_host_does_not_have_exits_78_naming_the_key_and_the_reason()
    {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a real host; nothing is sent to it, binding just fails
        var (code, output) = await RunAsync("""{"Observability": {"Listen": "192.0.2.1:9464", "Auth": {"Token": "a-test-token"}}}""");
        AssertConfigError(code, output, "Observability:Listen");
        Assert.Contains("the address is not one of this host's addresses", output);
    }
}
