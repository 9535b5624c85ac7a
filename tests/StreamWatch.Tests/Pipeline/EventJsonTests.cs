using System.Text.Json;
using StreamWatch.Core.Alerts;
using StreamWatch.Core.Pipeline;

namespace StreamWatch.Tests.Pipeline;

public class EventJsonTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 22, 10, 15, 30, 250, TimeSpan.Zero);

    [Fact]
    public void Motion_and_alert_lines_follow_the_documented_contract()
    {
        var motion = EventJson.Format(new MotionChanged("yard", T, TimeSpan.FromSeconds(12.4), true, 2.5f), wallClock: false)!;
        using (var d = JsonDocument.Parse(motion))
        {
            Assert.Equal("motion", d.RootElement.GetProperty("type").GetString());
            Assert.Equal("start", d.RootElement.GetProperty("state").GetString());
            Assert.Equal(12.4, d.RootElement.GetProperty("offset_s").GetDouble());
            Assert.False(d.RootElement.TryGetProperty("time", out _));
        }
        var alert = new Alert
        {
            Id = "yard-1", Camera = "yard", Rule = "intrusion", Phase = AlertPhase.End, Start = T,
            End = T.AddSeconds(3.5), StartOffset = TimeSpan.FromSeconds(3723.5), Offset = TimeSpan.FromSeconds(3727),
        };
        var line = EventJson.Format(new AlertChanged("yard", T, alert.Offset, alert), wallClock: true)!;
        using var a = JsonDocument.Parse(line);
        Assert.Equal("alert", a.RootElement.GetProperty("type").GetString());
        Assert.Equal("end", a.RootElement.GetProperty("phase").GetString());
        Assert.Equal("intrusion", a.RootElement.GetProperty("rule").GetString());
        Assert.Equal("01:02:03.500", a.RootElement.GetProperty("start_offset").GetString());
        Assert.Equal("2026-11-22T10:15:30.250Z", a.RootElement.GetProperty("start").GetString());
        Assert.Equal("2026-11-22T10:15:33.750Z", a.RootElement.GetProperty("end").GetString());
        Assert.DoesNotContain('\n', line);
        Assert.False(a.RootElement.TryGetProperty("reason", out _));
        using var u = JsonDocument.Parse(EventJson.Format(new AlertChanged("yard", T, alert.Offset, alert with { Unverified = true }), wallClock: false)!);
        Assert.Equal("unverified", u.RootElement.GetProperty("reason").GetString());
    }
}
