using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Cluster;

public sealed class EtcdServerTests
{
    [Fact]
    public async Task Starts_stores_a_key_and_keeps_it_over_a_restart()
    {
        await using var etcd = await EtcdServer.StartAsync();
        Assert.Null(await etcd.GetAsync("/t/a"));
        await etcd.PutAsync("/t/a", "one");
        await etcd.PutAsync("/t/b", "two");
        Assert.Equal("one", await etcd.GetAsync("/t/a"));
        Assert.Equal([("/t/a", "one"), ("/t/b", "two")], await etcd.GetPrefixAsync("/t/"));

        await etcd.StopAsync();
        Assert.False(etcd.Running);
        await etcd.StartAgainAsync();
        Assert.Equal("two", await etcd.GetAsync("/t/b"));
    }
}
