using StreamWatch.Core.Config;
using StreamWatch.Core.Gate;

namespace StreamWatch.Tests.Gate;

public class MotionGateTests
{
    private static readonly GateOptions Options = new() { OpenThreshold = 2, OpenFrames = 3, CloseThreshold = 1, QuietSeconds = 2 };
    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void Opens_only_after_k_consecutive_frames_above_threshold()
    {
        var g = new MotionGate(Options);
        Assert.Equal(GateTransition.None, g.Update(5, S(0)));
        Assert.Equal(GateTransition.None, g.Update(5, S(0.2)));
        Assert.Equal(GateTransition.None, g.Update(1.5f, S(0.4)));   // streak broken
        Assert.Equal(GateTransition.None, g.Update(2, S(0.6)));
        Assert.Equal(GateTransition.None, g.Update(3, S(0.8)));
        Assert.False(g.IsOpen);
        Assert.Equal(GateTransition.Opened, g.Update(4, S(1.0)));
        Assert.True(g.IsOpen);
        Assert.Equal(GateTransition.None, g.Update(4, S(1.2)));
    }

    [Fact]
    public void Isolated_spikes_never_open()
    {
        var g = new MotionGate(Options);
        for (var i = 0; i < 50; i++)
            Assert.Equal(GateTransition.None, g.Update(i % 3 == 0 ? 100 : 0, S(i * 0.2)));
        Assert.False(g.IsOpen);
    }

    [Fact]
    public void Closes_after_the_quiet_period_below_the_close_threshold_in_stream_time()
    {
        var g = new MotionGate(Options);
        for (var i = 0; i < 3; i++) g.Update(5, S(10 + i * 0.2));
        Assert.True(g.IsOpen);
        // Between close and open thresholds keeps it open (hysteresis).
        Assert.Equal(GateTransition.None, g.Update(1.2f, S(11)));
        Assert.Equal(GateTransition.None, g.Update(0.5f, S(12)));
        Assert.Equal(GateTransition.None, g.Update(0.5f, S(12.9)));
        Assert.True(g.IsOpen);
        Assert.Equal(GateTransition.Closed, g.Update(0.5f, S(13.0)));
        Assert.False(g.IsOpen);
        Assert.Equal(GateTransition.None, g.Update(0.5f, S(13.2)));
    }

    [Fact]
    public void Activity_during_the_quiet_period_restarts_it()
    {
        var g = new MotionGate(Options);
        for (var i = 0; i < 3; i++) g.Update(5, S(i * 0.2));
        g.Update(0, S(1.5));
        g.Update(1, S(2.3));
        Assert.Equal(GateTransition.None, g.Update(0, S(4.2)));
        Assert.Equal(GateTransition.Closed, g.Update(0, S(4.3)));
    }

    [Fact]
    public void Reset_closes_silently_and_forgets_the_streak()
    {
        var g = new MotionGate(Options);
        for (var i = 0; i < 3; i++) g.Update(5, S(i * 0.2));
        g.Reset();
        Assert.False(g.IsOpen);
        g.Update(5, S(0)); g.Update(5, S(0.2));
        g.Reset();
        Assert.Equal(GateTransition.None, g.Update(5, S(0.4)));
        Assert.False(g.IsOpen);
    }

    [Fact]
    public void Options_name_their_keys_when_invalid()
    {
        var errors = new ConfigErrors();
        new GateOptions { OpenThreshold = 1, CloseThreshold = 3, OpenFrames = 0, QuietSeconds = -1 }.Validate("Gate", errors);
        Assert.Contains(errors.Errors, e => e.StartsWith("Gate:CloseThreshold"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Gate:OpenFrames"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Gate:QuietSeconds"));
        var ok = new ConfigErrors();
        new GateOptions().Validate("Gate", ok);
        Assert.False(ok.Any);
    }
}
