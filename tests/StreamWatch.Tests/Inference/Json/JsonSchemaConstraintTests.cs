using System.Text;
using System.Text.Json;
using StreamWatch.Inference.Json;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Tokenizer;

namespace StreamWatch.Tests.Inference.Json;

public class JsonSchemaConstraintTests
{
    private static readonly Lazy<ConstraintVocabulary> Vocab = new(() => new ConstraintVocabulary(RealTokenizer.Instance));

    internal const string Schema = """
    {"type":"object","properties":{
      "label":{"type":"string","enum":["fall","intrusion","fire_smoke","none"]},
      "anomaly":{"type":"boolean"},
      "confidence":{"type":"number","minimum":0,"maximum":1},
      "delta":{"type":"integer","minimum":-5,"maximum":-1},
      "count":{"type":"integer","minimum":0,"maximum":120},
      "description":{"type":"string","maxLength":12},
      "events":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"object","properties":{
         "t":{"type":"number","minimum":-2.5,"maximum":3600},"what":{"type":"string","maxLength":3}},"required":["t","what"]}},
      "tags":{"type":"array","maxItems":2,"items":{"type":"string","enum":["a","b"]}}},
     "required":["label","anomaly","confidence","delta","count","description","events","tags"]}
    """;

    /// <summary>Decoding through the constraint, picking uniformly among the allowed tokens; returns the text.</summary>
    internal static string Generate(JsonSchemaConstraint c, Random rng, int maxSteps = 2000)
    {
        var logits = new float[Qwen3Tokenizer.ModelTokenCount];
        var bytes = new List<byte>();
        for (var step = 0; step < maxSteps; step++)
        {
            Array.Clear(logits);
            c.Apply(logits);
            Assert.True(c.AllowedCount > 0, $"no token allowed after '{Encoding.UTF8.GetString(bytes.ToArray())}'");
            int pick = -1, seen = 0;
            for (var i = 0; i < logits.Length; i++)
                if (logits[i] == 0 && rng.Next(++seen) == 0) pick = i;          // reservoir sampling
            if (c.IsComplete)
            {
                Assert.Equal(QwenTokens.ImEnd, pick);
                return Encoding.UTF8.GetString(bytes.ToArray());
            }
            c.Accept(pick);
            bytes.AddRange(RealTokenizer.Instance.TokenBytes(pick).ToArray());
        }
        throw new Xunit.Sdk.XunitException("generation did not complete: " + Encoding.UTF8.GetString(bytes.ToArray()));
    }

    [Fact]
    public void Random_logits_always_give_schema_valid_json()
    {
        var schema = JsonSchema.Parse(Schema);
        var program = SchemaProgram.Compile(schema);
        var labels = new HashSet<string>();
        for (var seed = 0; seed < 200; seed++)
        {
            var text = Generate(new JsonSchemaConstraint(Vocab.Value, program), new Random(seed));
            using var doc = JsonDocument.Parse(text);                  // throws on invalid JSON
            Assert.Empty(JsonSchemaValidator.Validate(schema, doc.RootElement));
            var root = doc.RootElement;
            Assert.Equal(["label", "anomaly", "confidence", "delta", "count", "description", "events", "tags"], root.EnumerateObject().Select(p => p.Name));
            labels.Add(root.GetProperty("label").GetString()!);
        }
        Assert.True(labels.Count >= 3, "random logits should reach several enum values");
    }

    [Fact]
    public void A_string_at_its_length_limit_allows_only_closing_tokens()
    {
        var program = SchemaProgram.Compile(JsonSchema.Parse("""{"type":"object","properties":{"d":{"type":"string","maxLength":2}}}"""));
        var c = new JsonSchemaConstraint(Vocab.Value, program);
        foreach (var id in RealTokenizer.Instance.Encode("{\"d\":\"ab")) c.Accept(id);
        var logits = new float[Qwen3Tokenizer.ModelTokenCount];
        c.Apply(logits);
        var allowed = Enumerable.Range(0, logits.Length).Where(i => logits[i] == 0).ToList();
        Assert.NotEmpty(allowed);
        Assert.All(allowed, id => Assert.StartsWith("\"}", Encoding.UTF8.GetString(RealTokenizer.Instance.TokenBytes(id)) + "}"));
        Assert.Throws<InvalidOperationException>(() => c.Accept(RealTokenizer.Instance.Encode("c")[0]));
    }

    [Fact]
    public void Complete_output_allows_only_the_stop_token()
    {
        var program = SchemaProgram.Compile(JsonSchema.Parse("""{"type":"object","properties":{"ok":{"type":"boolean"}}}"""));
        var c = new JsonSchemaConstraint(Vocab.Value, program);
        foreach (var id in RealTokenizer.Instance.Encode("{\"ok\":true}")) c.Accept(id);
        Assert.True(c.IsComplete);
        var logits = new float[Qwen3Tokenizer.ModelTokenCount];
        c.Apply(logits);
        Assert.Equal(1, c.AllowedCount);
        Assert.Equal(0f, logits[QwenTokens.ImEnd]);
    }

    [Theory]
    [InlineData("{\"n\":1.5}", false)]
    [InlineData("{\"n\":1.0}", true)]
    [InlineData("{\"n\":01}", false)]
    [InlineData("{\"n\":-0.25}", false)]
    [InlineData("{\"n\":0.999999}", true)]
    [InlineData("{\"n\":0.9999999}", false)]
    public void Numbers_respect_bounds_and_syntax(string text, bool ok)
    {
        var program = SchemaProgram.Compile(JsonSchema.Parse("""{"type":"object","properties":{"n":{"type":"number","minimum":0,"maximum":1}}}"""));
        var c = new JsonSchemaConstraint(Vocab.Value, program);
        var accepted = true;
        try { foreach (var b in Encoding.UTF8.GetBytes(text)) c.Accept(RealTokenizer.Instance.Encode(((char)b).ToString())[0]); }
        catch (InvalidOperationException) { accepted = false; }
        Assert.Equal(ok, accepted && c.IsComplete);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"s":{"type":"string","pattern":"x"}}}""")]
    [InlineData("""{"type":"object","required":["x"]}""")]
    [InlineData("""{"type":"array"}""")]
    [InlineData("""{"type":"string"}""")]
    [InlineData("""{"type":"number","minimum":2,"maximum":1}""")]
    public void Unsupported_or_inconsistent_schemas_are_rejected(string schema) =>
        Assert.Throws<FormatException>(() => SchemaProgram.Compile(JsonSchema.Parse(schema)));
}
