using System.Text;
using System.Text.Json;
using StreamWatch.Core.Frames;
using StreamWatch.Core.Verdicts;
using StreamWatch.Inference.Profiles;
using StreamWatch.Inference.Qwen3Vl;

namespace StreamWatch.Inference.OpenAi;

/// <summary>Builds the chat-completions body and reads the answer text (OpenAI / vLLM / llama-server shape).</summary>
internal static class OpenAiRequest
{
    public static byte[] Body(string model, int maxTokens, PromptProfile profile, VerdictRequest req, IJpegEncoder jpeg, int quality)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteNumber("max_tokens", maxTokens);
            w.WriteNumber("temperature", 0);
            w.WriteStartArray("messages");
            if (!string.IsNullOrEmpty(profile.System))
            {
                w.WriteStartObject(); w.WriteString("role", "system"); w.WriteString("content", profile.System); w.WriteEndObject();
            }
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteStartArray("content");
            foreach (var k in req.Keyframes)
            {
                Text(w, PromptBuilder.KeyframeLabel(k.Offset));
                w.WriteStartObject();
                w.WriteString("type", "image_url");
                w.WriteStartObject("image_url");
                w.WriteString("url", "data:image/jpeg;base64," + Convert.ToBase64String(jpeg.EncodeI420(k.I420, k.Width, k.Height, quality)));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            Text(w, profile.Question);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("response_format");
            w.WriteString("type", "json_schema");
            w.WriteStartObject("json_schema");
            w.WriteString("name", profile.Name);
            w.WriteBoolean("strict", true);
            w.WritePropertyName("schema");
            w.WriteRawValue(profile.SchemaJson);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    private static void Text(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject(); w.WriteString("type", "text"); w.WriteString("text", text); w.WriteEndObject();
    }

    /// <summary>The assistant's text, or a failure reason ("not_json", "truncated", "empty").</summary>
    public static (string? Content, string? Failure) Content(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                return (null, "empty");
            var choice = choices[0];
            if (choice.TryGetProperty("finish_reason", out var fr) && fr.ValueKind == JsonValueKind.String && fr.GetString() == "length")
                return (null, "truncated");
            return choice.TryGetProperty("message", out var m) && m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String
                ? (c.GetString()!.Trim(), null)
                : (null, "empty");
        }
        catch (JsonException) { return (null, "not_json"); }
    }

    public static string Snippet(string s) => s.Length <= 200 ? s : s[..200] + "…";

    public static readonly Encoding Utf8 = new UTF8Encoding(false);
}
