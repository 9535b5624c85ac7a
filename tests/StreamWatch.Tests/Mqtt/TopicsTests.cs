using StreamWatch.Core.Config;
using StreamWatch.Mqtt;

namespace StreamWatch.Tests.Mqtt;

public class TopicsTests
{
    [Fact]
    public void Topics_follow_the_documented_layout()
    {
        Assert.Equal("sw/nodes/n1/available", Topics.Available("sw", "n1"));
        Assert.Equal("sw/cam1/status", Topics.Status("sw", "cam1"));
        Assert.Equal("sw/cam1/motion", Topics.Motion("sw", "cam1"));
        Assert.Equal("sw/events", Topics.Events("sw"));
        Assert.Equal("sw/stats", Topics.Stats("sw"));
        Assert.Equal("sw/cam1/door/snapshot", Topics.Snapshot("sw", "cam1", "door"));
        Assert.Equal("sw/cam1/door/state", Topics.RuleState("sw", "cam1", "door"));
        Assert.Equal("homeassistant/binary_sensor/sw/cam1_motion/config", Topics.Discovery("homeassistant", "binary_sensor", "sw", "cam1_motion"));
    }

    [Theory]
    [InlineData("streamwatch", true)]
    [InlineData("home/streamwatch", true)]
    [InlineData("", false)]
    [InlineData("a/+/b", false)]
    [InlineData("a/#", false)]
    [InlineData("/a", false)]
    [InlineData("a/", false)]
    [InlineData("a//b", false)]
    public void Prefix_validation(string prefix, bool ok) => Assert.Equal(ok, Topics.IsValidPrefix(prefix));

    [Fact]
    public void Node_id_replaces_separators() => Assert.Equal("home_sw-1", Topics.NodeId("home/sw-1"));

    [Fact]
    public void Options_name_bad_keys_and_reject_two_password_sources()
    {
        var o = new MqttOptions { Enabled = true, Port = 0, Node = "a/b", ProtocolVersion = 4, TopicPrefix = "a/#", Password = "hunter2-secret", PasswordEnv = "Y", OutboxCapacity = 1 };
        var errors = new ConfigErrors();
        o.Validate("Mqtt", errors);
        var text = string.Join("\n", errors.Errors);
        foreach (var key in new[] { "Mqtt:Port", "Mqtt:Node", "Mqtt:ProtocolVersion", "Mqtt:TopicPrefix", "Mqtt:Password", "Mqtt:Username", "Mqtt:OutboxCapacity" })
            Assert.Contains(key + ":", text);
        Assert.DoesNotContain("hunter2-secret", text);
    }

    [Fact]
    public void Disabled_options_are_not_checked_and_defaults_are_valid()
    {
        var errors = new ConfigErrors();
        new MqttOptions { Port = 0 }.Validate("Mqtt", errors);
        new MqttOptions { Enabled = true }.Validate("Mqtt", errors);
        Assert.Empty(errors.Errors);
    }

    [Fact]
    public void Each_node_has_its_own_client_id_and_availability_topic_by_default_from_the_host_name()
    {
        var host = Topics.NodeId(Environment.MachineName);
        var byHost = new MqttOptions { TopicPrefix = "sw" };
        Assert.Equal(host, byHost.EffectiveNode);
        Assert.Equal("streamwatch-" + host, byHost.EffectiveClientId);
        Assert.Equal($"sw/nodes/{host}/available", byHost.AvailabilityTopic);
        var named = new MqttOptions { TopicPrefix = "sw", Node = "edge-2" };
        Assert.Equal("streamwatch-edge-2", named.EffectiveClientId);
        Assert.Equal("sw/nodes/edge-2/available", named.AvailabilityTopic);
        Assert.Equal("given", new MqttOptions { Node = "edge-2", ClientId = "given" }.EffectiveClientId);
    }

    [Fact]
    public void Password_comes_from_file_first_line_or_environment()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "s3cret\nignored\n");
        Assert.Equal("s3cret", new MqttOptions { PasswordFile = file }.ResolvePassword());
        File.Delete(file);
        Environment.SetEnvironmentVariable("SW_TEST_MQTT_PW", "from-env");
        Assert.Equal("from-env", new MqttOptions { PasswordEnv = "SW_TEST_MQTT_PW" }.ResolvePassword());
        Assert.Null(new MqttOptions().ResolvePassword());
    }
}
