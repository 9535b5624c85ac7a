using StreamWatch.Core.Config;
using StreamWatch.Inference.OpenAi;
using StreamWatch.Inference.Profiles;

namespace StreamWatch.Tests.Inference.OpenAi;

public class EndpointPoolTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_request_goes_to_the_endpoint_with_the_fewest_outstanding()
    {
        var p = new EndpointPool(3, failures: 2, TimeSpan.FromSeconds(30));
        Assert.Equal([0, 1, 2], new[] { p.Acquire(T0), p.Acquire(T0), p.Acquire(T0) }.Select(i => i!.Value));
        p.Complete(1, true, T0);
        Assert.Equal(1, p.Acquire(T0)); // the only one with nothing outstanding
        p.Complete(0, true, T0);
        p.Complete(2, true, T0);
        Assert.Equal(0, p.Acquire(T0)); // 0 and 2 are idle; 0 was picked longer ago
        Assert.Equal(2, p.Acquire(T0));
        Assert.Equal(1, p.Outstanding(0));
        Assert.Equal(2, p.Outstanding(1) + p.Outstanding(2));
    }

    [Fact]
    public void A_failing_endpoint_is_taken_out_retried_later_and_reopened_by_one_more_failure()
    {
        var p = new EndpointPool(2, failures: 2, TimeSpan.FromSeconds(30));
        Assert.Equal(EndpointPool.Change.None, p.Complete(p.Acquire(T0)!.Value, false, T0)); // 0
        p.Complete(p.Acquire(T0, avoid: 0)!.Value, true, T0);                                  // 1 answers
        Assert.Equal(0, p.Acquire(T0));
        Assert.Equal(EndpointPool.Change.Opened, p.Complete(0, false, T0));
        Assert.True(p.IsOpen(0, T0));
        for (var i = 0; i < 5; i++) Assert.Equal(1, p.Acquire(T0.AddSeconds(i))); // only 1 gets work while 0 is out

        var later = T0.AddSeconds(31);
        Assert.False(p.IsOpen(0, later));
        Assert.Equal(0, p.Acquire(later)); // tried again: it has the fewest outstanding
        Assert.Equal(EndpointPool.Change.Opened, p.Complete(0, false, later)); // half-open: out again at once
        Assert.Equal(1, p.Acquire(later));

        var muchLater = later.AddSeconds(31);
        Assert.Equal(0, p.Acquire(muchLater));
        Assert.Equal(EndpointPool.Change.Closed, p.Complete(0, true, muchLater));
        Assert.Equal(0, p.Acquire(muchLater));
        Assert.Equal(EndpointPool.Change.None, p.Complete(0, false, muchLater)); // closed again: needs 2 in a row
    }

    [Fact]
    public void Avoid_is_a_last_resort_and_nothing_is_given_while_every_circuit_is_open()
    {
        var p = new EndpointPool(2, failures: 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, p.Acquire(T0, avoid: 0));
        p.Complete(1, null, T0); // cancelled: neither success nor failure
        Assert.False(p.IsOpen(1, T0));
        var solo = new EndpointPool(1, failures: 1, TimeSpan.FromSeconds(10));
        Assert.Equal(0, solo.Acquire(T0, avoid: 0)); // the only one left
        solo.Complete(0, false, T0);
        Assert.Null(solo.Acquire(T0));
        Assert.Equal(0, solo.Acquire(T0.AddSeconds(11)));
    }

    [Fact]
    public void BaseUrls_are_checked_one_by_one_and_exclude_BaseUrl()
    {
        var errors = new ConfigErrors();
        new OpenAiOptions { BaseUrl = "http://a/v1", BaseUrls = ["http://b/v1", "ftp://c"], Model = "m" }.Validate("Model:OpenAi", errors);
        Assert.Equal(["Model:OpenAi:BaseUrl", "Model:OpenAi:BaseUrls:1"], errors.Errors.Select(e => e[..e.IndexOf(": ", StringComparison.Ordinal)]));
        Assert.Equal(["http://a/v1"], new OpenAiOptions { BaseUrl = "http://a/v1" }.Endpoints);
        Assert.Equal(["http://b/v1", "http://c/v1"], new OpenAiOptions { BaseUrls = ["http://b/v1", "http://c/v1"] }.Endpoints);
    }
}
