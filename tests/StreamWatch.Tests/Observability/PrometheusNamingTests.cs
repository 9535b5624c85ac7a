using System.Text;
using StreamWatch.Observability.Prometheus;

namespace StreamWatch.Tests.Observability;

public class PrometheusNamingTests
{
    [Theory]
    [InlineData("frames_decoded", "{frame}", true, "streamwatch_frames_decoded_total")]
    [InlineData("gate_open", "s", true, "streamwatch_gate_open_seconds_total")]
    [InlineData("stage_latency", "s", false, "streamwatch_stage_latency_seconds")]
    [InlineData("outbox_oldest_age", "s", false, "streamwatch_outbox_oldest_age_seconds")]
    [InlineData("camera_up", null, false, "streamwatch_camera_up")]
    [InlineData("heap", "By", false, "streamwatch_heap_bytes")]
    [InlineData("mqtt_connected", "1", false, "streamwatch_mqtt_connected")]
    [InlineData("wait_seconds", "s", false, "streamwatch_wait_seconds")]
    [InlineData("jobs_total", "{job}", true, "streamwatch_jobs_total")]
    [InlineData("model.requests-ok", "{request}", true, "streamwatch_model_requests_ok_total")]
    [InlineData("2fast", null, false, "streamwatch_2fast")]
    public void Family_names_follow_prometheus_conventions(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusNaming.FamilyName("streamwatch_", instrument, unit, counter));

    [Theory]
    [InlineData("camera", "camera")]
    [InlineData("camera.name", "camera_name")]
    [InlineData("9lives", "_9lives")]
    [InlineData("__name__", "tag__name__")]
    [InlineData("stage-id", "stage_id")]
    public void Label_names_are_sanitised(string tag, string expected) => Assert.Equal(expected, PrometheusNaming.LabelName(tag));

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        var sb = new StringBuilder();
        PrometheusNaming.AppendEscapedLabelValue(sb, "a\\b\"c\nd");
        Assert.Equal("a\\\\b\\\"c\\nd", sb.ToString());
    }

    [Fact]
    public void Help_escapes_backslash_and_newline() =>
        Assert.Equal(@"line one\nC:\\dir", PrometheusNaming.EscapeHelp("line one\nC:\\dir"));

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.001, "0.001")]
    [InlineData(1234567.0, "1234567")]
    [InlineData(-2.5, "-2.5")]
    public void Values_use_invariant_text(double v, string expected) => Assert.Equal(expected, PrometheusNaming.FormatValue(v));

    [Fact]
    public void Tag_values_are_invariant_text()
    {
        Assert.Equal("1.5", PrometheusNaming.TagValue(1.5));
        Assert.Equal("true", PrometheusNaming.TagValue(true));
        Assert.Equal("", PrometheusNaming.TagValue(null));
    }
}
