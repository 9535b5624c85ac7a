using StreamWatch.Config;
using StreamWatch.Core.Config;

namespace StreamWatch.Tests.Cluster;

public sealed class ClusterConfigTests
{
    private static IReadOnlyList<string> Errors(Dictionary<string, string?> settings)
    {
        try { ConfigLoader.Load(null, settings); return []; }
        catch (ConfigException e) { return e.Errors.Select(m => m[..m.IndexOf(": ", StringComparison.Ordinal)]).ToList(); }
    }

    [Fact]
    public void Off_by_default_with_the_documented_defaults()
    {
        var o = ConfigLoader.Load(null, new Dictionary<string, string?>());
        Assert.False(o.Cluster.Enabled);
        Assert.Equal(10, o.Cluster.LeaseTtlSeconds);
        Assert.Equal("/streamwatch", o.Cluster.Prefix);
        Assert.Equal(o.Mqtt.EffectiveNode, o.Cluster.EffectiveNode(o.Mqtt));
    }

    [Fact]
    public void Enabled_needs_endpoints()
    {
        Assert.Equal(["Cluster:Etcd:Endpoints"], Errors(new() { ["Cluster:Enabled"] = "true" }));
        Assert.Empty(Errors(new() { ["Cluster:Enabled"] = "true", ["Cluster:Etcd:Endpoints:0"] = "http://127.0.0.1:2379" }));
    }

    [Theory]
    [InlineData("Cluster:LeaseTtlSeconds", "1")]
    [InlineData("Cluster:LeaseTtlSeconds", "61")]
    [InlineData("Cluster:Node", "a/b")]
    [InlineData("Cluster:Prefix", "streamwatch")]
    [InlineData("Cluster:Prefix", "/streamwatch/")]
    [InlineData("Cluster:Etcd:Endpoints:0", "127.0.0.1:2379")]
    [InlineData("Cluster:Etcd:Endpoints:0", "https://etcd:2379")]
    [InlineData("Cluster:Etcd:Endpoints:0", "http://user:pw@etcd:2379")]
    public void A_bad_value_is_named_by_its_key(string key, string value)
    {
        Assert.Equal([key], Errors(new() { [key] = value }));
    }

    [Fact]
    public void Etcd_tls_takes_https_endpoints_and_a_user_needs_a_password()
    {
        var ca = Path.GetTempFileName();
        try
        {
            var tls = new Dictionary<string, string?> { ["Cluster:Etcd:Endpoints:0"] = "https://etcd:2379", ["Cluster:Etcd:Tls:CaFile"] = ca };
            Assert.Empty(Errors(tls));
            Assert.Equal(["Cluster:Etcd:Endpoints:0"], Errors(new(tls) { ["Cluster:Etcd:Endpoints:0"] = "http://etcd:2379" }));
            Assert.Equal(["Cluster:Etcd:Tls:CertFile"], Errors(new(tls) { ["Cluster:Etcd:Tls:CertFile"] = ca }));
            Assert.Equal(["Cluster:Etcd:Tls:CaFile"], Errors(new() { ["Cluster:Etcd:Tls:CaFile"] = ca + ".missing" }));

            Assert.Empty(Errors(new() { ["Cluster:Etcd:Username"] = "node", ["Cluster:Etcd:PasswordFile"] = ca }));
            Assert.Equal(["Cluster:Etcd:Password"], Errors(new() { ["Cluster:Etcd:Username"] = "node" }));
            Assert.Equal(["Cluster:Etcd:Username"], Errors(new() { ["Cluster:Etcd:Password"] = "pw" }));
            Assert.Equal(["Cluster:Etcd:Password"], Errors(new() { ["Cluster:Etcd:Username"] = "node", ["Cluster:Etcd:Password"] = "pw", ["Cluster:Etcd:PasswordFile"] = ca }));
        }
        finally { File.Delete(ca); }
    }

    [Fact]
    public void The_node_id_defaults_to_the_mqtt_node()
    {
        var o = ConfigLoader.Load(null, new Dictionary<string, string?> { ["Mqtt:Node"] = "n7" });
        Assert.Equal("n7", o.Cluster.EffectiveNode(o.Mqtt));
        o = ConfigLoader.Load(null, new Dictionary<string, string?> { ["Mqtt:Node"] = "n7", ["Cluster:Node"] = "c1" });
        Assert.Equal("c1", o.Cluster.EffectiveNode(o.Mqtt));
    }
}
