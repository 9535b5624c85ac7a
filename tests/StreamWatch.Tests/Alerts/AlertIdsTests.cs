using StreamWatch.Core.Alerts;

namespace StreamWatch.Tests.Alerts;

public class AlertIdsTests
{
    [Fact]
    public void Ids_name_camera_rule_and_utc_start_and_count_the_cameras_alerts()
    {
        var ids = new AlertIds("front");
        var local = new DateTimeOffset(2026, 11, 22, 11, 15, 3, 120, TimeSpan.FromHours(1));
        Assert.Equal("front-door-20261122T101503Z-1", ids.Next("door", local));
        Assert.Equal("front-yard-20261122T101504Z-2", ids.Next("yard", local.AddSeconds(1)));
        Assert.Equal("front-door-19700101T000002Z-1", new AlertIds("front").Next("door", DateTimeOffset.UnixEpoch.AddSeconds(2.4)));
    }
}
