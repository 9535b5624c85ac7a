using StreamWatch.Core.Config;

namespace StreamWatch.Tests.Rules;

public class RuleOptionsTests
{
    private static IReadOnlyList<string> Errors(RuleOptions o)
    {
        var errors = new ConfigErrors();
        o.Validate("Cameras:0:Rules:0", errors);
        return errors.Errors;
    }

    [Fact]
    public void Min_active_fraction_must_be_a_share()
    {
        Assert.Empty(Errors(new RuleOptions { Name = "r", MinActiveFraction = 0.2 }));
        Assert.Contains(Errors(new RuleOptions { Name = "r", MinActiveFraction = 1.5 }), e => e.StartsWith("Cameras:0:Rules:0:MinActiveFraction"));
    }

    [Fact]
    public void Verification_needs_a_profile()
    {
        Assert.Contains(Errors(new RuleOptions { Name = "r", RequireVerification = true }), e => e.StartsWith("Cameras:0:Rules:0:RequireVerification"));
        Assert.Empty(Errors(new RuleOptions { Name = "r", RequireVerification = true, Profile = "intrusion" }));
    }
}
