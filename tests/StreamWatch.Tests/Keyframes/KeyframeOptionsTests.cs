using StreamWatch.Core.Config;
using StreamWatch.Core.Keyframes;

namespace StreamWatch.Tests.Keyframes;

public class KeyframeOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var errors = new ConfigErrors();
        new KeyframeOptions().Validate(KeyframeOptions.Section, errors);
        Assert.False(errors.Any);
    }

    [Fact]
    public void Bad_values_name_their_keys()
    {
        var errors = new ConfigErrors();
        new KeyframeOptions { StrongFps = 0, WeakFps = 3, MaxPerEvent = 0, MaxPerRequest = 0, SpacingGrowth = -1, MergeGapSeconds = -1 }.Validate("Keyframes", errors);
        Assert.Contains(errors.Errors, e => e.StartsWith("Keyframes:StrongFps"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Keyframes:WeakFps"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Keyframes:MaxPerEvent"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Keyframes:MaxPerRequest"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Keyframes:SpacingGrowth"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Keyframes:MergeGapSeconds"));
    }
}
