using StreamWatch.Inference.Json;

namespace StreamWatch.Tests.Inference.Json;

public class JsonSchemaValidatorTests
{
    private static readonly SchemaNode Schema = JsonSchema.Parse(JsonSchemaConstraintTests.Schema);

    private const string Good = """{"label":"fall","anomaly":true,"confidence":0.9,"delta":-2,"count":3,"description":"x","events":[{"t":1,"what":"a"}],"tags":[]}""";

    [Fact]
    public void Accepts_a_valid_document() => Assert.Empty(JsonSchemaValidator.Validate(Schema, Good));

    [Theory]
    [InlineData("\"label\":\"fall\"", "\"label\":\"dance\"", "$.label")]
    [InlineData("\"confidence\":0.9", "\"confidence\":1.2", "$.confidence")]
    [InlineData("\"delta\":-2", "\"delta\":-2.5", "$.delta")]
    [InlineData("\"description\":\"x\"", "\"description\":\"0123456789abc\"", "$.description")]
    [InlineData("\"events\":[{\"t\":1,\"what\":\"a\"}]", "\"events\":[]", "$.events")]
    [InlineData("\"anomaly\":true,", "", "missing required property 'anomaly'")]
    [InlineData("\"tags\":[]", "\"tags\":[],\"extra\":1", "unexpected property 'extra'")]
    [InlineData("\"anomaly\":true", "\"anomaly\":\"yes\"", "$.anomaly")]
    public void Reports_each_violation_with_its_path(string from, string to, string expected)
    {
        var errors = JsonSchemaValidator.Validate(Schema, Good.Replace(from, to));
        Assert.Contains(errors, e => e.Contains(expected));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"label\":\"fa")]
    public void Reports_unparsable_text(string text) =>
        Assert.Contains("not JSON", Assert.Single(JsonSchemaValidator.Validate(Schema, text)));
}
