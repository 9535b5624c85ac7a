using StreamWatch.Core.Config;
using StreamWatch.Inference.Json;
using StreamWatch.Inference.Profiles;

namespace StreamWatch.Tests.Inference.Profiles;

public class ProfileTests
{
    [Fact]
    public void Built_in_profiles_compile_and_require_every_property()
    {
        var profiles = PromptProfiles.Resolve(new ModelOptions());
        Assert.Equal(["actions", "security", "sports"], profiles.Keys.Order());
        foreach (var p in profiles.Values)
        {
            Assert.Equal("description", p.Schema.Properties[0].Key);
            Assert.Equal(p.Schema.Properties.Select(x => x.Key).Order(), p.Schema.Required.Order());
        }
        var sec = profiles["security"].Schema;
        Assert.Equal(["description", "label", "anomaly", "severity", "confidence", "start", "end"], sec.Properties.Select(x => x.Key));
        Assert.Contains("abandoned_object", sec.Properties[1].Value.Enum!);
        Assert.Equal(200, sec.Properties[0].Value.MaxLength);
    }

    [Fact]
    public void Overrides_and_custom_profiles_come_from_config()
    {
        var o = new ModelOptions
        {
            Profiles =
            {
                ["actions"] = new ProfileOptions { Labels = ["wave", "none"] },
                ["security"] = new ProfileOptions { Question = "Anyone on the roof?" },
                ["sports"] = new ProfileOptions { Schema = """{"type":"object","properties":{"label":{"type":"string","enum":["dunk","none"]}},"required":["label"]}""" },
                ["parking"] = new ProfileOptions { System = "S", Question = "Q", Schema = """{"type":"object","properties":{"label":{"type":"string","enum":["car","none"]}},"required":["label"]}""" },
            },
        };
        var p = PromptProfiles.Resolve(o);
        Assert.Equal(["wave", "none"], p["actions"].Schema.Properties.First(x => x.Key == "label").Value.Enum!);
        Assert.Equal("Anyone on the roof?", p["security"].Question);
        Assert.Equal("S", p["parking"].System);
        Assert.Equal(["dunk", "none"], p["sports"].Schema.Properties.Single().Value.Enum!);
        Assert.Equal(7, p["security"].Schema.Properties.Count);
        var errors = new ConfigErrors();
        o.Validate("Model", errors);
        Assert.False(errors.Any, string.Join("; ", errors.Errors));
    }

    [Fact]
    public void Validation_names_each_bad_key()
    {
        var o = new ModelOptions
        {
            Backend = (ModelBackend)7, MaxPixels = 100, MaxNewTokens = 0,
            Profiles = { ["x"] = new ProfileOptions { System = "s" }, ["y"] = new ProfileOptions { System = "s", Question = "q", Schema = """{"type":"object","properties":{"a":{"type":"string","pattern":"x"}}}""" } },
            Scheduler = { Concurrency = 0 },
        };
        var errors = new ConfigErrors();
        o.Validate("Model", errors);
        foreach (var key in new[] { "Model:Backend", "Model:MaxPixels", "Model:MaxNewTokens", "Model:Profiles:x", "Model:Profiles:y:Schema", "Model:Scheduler:Concurrency" })
            Assert.Contains(errors.Errors, e => e.StartsWith(key + ":"));
        var openai = new ModelOptions { Backend = ModelBackend.OpenAi, OpenAi = { BaseUrl = "ftp://x", ApiKey = "k", ApiKeyEnv = "HOME", Retries = -1 } };
        errors = new ConfigErrors();
        openai.Validate("Model", errors);
        foreach (var key in new[] { "Model:OpenAi:BaseUrl", "Model:OpenAi:Model", "Model:OpenAi:ApiKey", "Model:OpenAi:Retries" })
            Assert.Contains(errors.Errors, e => e.StartsWith(key + ":"));
        Assert.DoesNotContain(errors.Errors, e => e.Contains("\"k\"") || e.Contains(" k "));
    }

    [Fact]
    public void Verdict_parser_maps_fields_and_defaults()
    {
        const string json = """{"description":"man falls","label":"fall","anomaly":true,"severity":"critical","confidence":0.93,"start":"00:00:03.400","end":"00:01:05.000"}""";
        Assert.Empty(JsonSchemaValidator.Validate(PromptProfiles.Security.Schema, json));
        var v = VerdictParser.Parse(json, "qwen3-vl", 12.5);
        Assert.Equal(("fall", 0.93, "critical", "man falls", true), (v.Label, v.Confidence, v.Severity, v.Description, v.Anomaly));
        Assert.Equal(TimeSpan.FromMilliseconds(3400), v.From);
        Assert.Equal(TimeSpan.FromSeconds(65), v.To);
        Assert.Equal(("qwen3-vl", json, 12.5), (v.Model, v.RawJson, v.LatencyMs));

        var sport = VerdictParser.Parse("""{"description":"","label":"shot","outcome":"made","confidence":1,"time":"garbage"}""", "m", 1);
        Assert.Equal(("info", true, (TimeSpan?)null), (sport.Severity, sport.Anomaly, sport.From));
        Assert.False(VerdictParser.Parse("""{"label":"none"}""", "m", 1).Anomaly);
    }
}
