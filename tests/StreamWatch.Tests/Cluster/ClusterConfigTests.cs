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
    public void The_node_id_defaults_to_the_mqtt_node()
    {
        var o = ConfigLoader.Load(null, new Dictionary<string, string?> { ["Mqtt:Node"] = "n7" });
        Assert.Equal("n7", o.Cluster.EffectiveNode(o.Mqtt));
        o = ConfigLoader.Load(null, new Dictionary<string, string?> { ["Mqtt:Node"] = "n7", ["Cluster:Node"] = "c1" });
        Assert.Equal("c1", o.Cluster.EffectiveNode(o.Mqtt));
    }
}
