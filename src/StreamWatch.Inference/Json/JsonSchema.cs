using System.Text.Json;

namespace StreamWatch.Inference.Json;

public enum SchemaKind { Object, String, Number, Integer, Boolean, Array }

/// <summary>
/// The JSON Schema subset StreamWatch uses: object (properties, required; no extra keys), string
/// (enum, maxLength), number/integer (minimum, maximum), boolean, array (items, minItems, maxItems).
/// </summary>
public sealed class SchemaNode
{
    public required SchemaKind Kind { get; init; }
    public IReadOnlyList<KeyValuePair<string, SchemaNode>> Properties { get; init; } = [];
    public IReadOnlySet<string> Required { get; init; } = new HashSet<string>();
    public IReadOnlyList<string>? Enum { get; init; }
    public decimal? Minimum { get; init; }
    public decimal? Maximum { get; init; }
    public int? MaxLength { get; init; }
    public SchemaNode? Items { get; init; }
    public int MinItems { get; init; }
    public int? MaxItems { get; init; }
}

public static class JsonSchema
{
    private static readonly HashSet<string> Ignored = ["description", "title", "$schema", "additionalProperties", "$id"];

    /// <summary>Parses schema text; throws <see cref="FormatException"/> naming the offending path.</summary>
    public static SchemaNode Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(doc.RootElement, "$");
        }
        catch (JsonException e) { throw new FormatException($"schema is not JSON: {e.Message}", e); }
    }

    private static SchemaNode Parse(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad(path, "must be an object");
        string? type = e.TryGetProperty("type", out var t) ? t.ValueKind == JsonValueKind.String ? t.GetString() : throw Bad(path, "'type' must be a string") : null;
        var hasEnum = e.TryGetProperty("enum", out var en);
        if (type == null && hasEnum) type = "string";
        var kind = type switch
        {
            "object" => SchemaKind.Object, "string" => SchemaKind.String, "number" => SchemaKind.Number,
            "integer" => SchemaKind.Integer, "boolean" => SchemaKind.Boolean, "array" => SchemaKind.Array,
            _ => throw Bad(path, $"unsupported type '{type}'"),
        };
        foreach (var p in e.EnumerateObject())
        {
            var ok = p.Name switch
            {
                "type" => true, "enum" or "maxLength" => kind == SchemaKind.String,
                "properties" or "required" => kind == SchemaKind.Object,
                "minimum" or "maximum" => kind is SchemaKind.Number or SchemaKind.Integer,
                "items" or "minItems" or "maxItems" => kind == SchemaKind.Array,
                _ => Ignored.Contains(p.Name),
            };
            if (!ok) throw Bad(path, $"keyword '{p.Name}' is not supported for type {type}");
        }
        return kind switch
        {
            SchemaKind.Object => ParseObject(e, path),
            SchemaKind.String => new SchemaNode
            {
                Kind = kind,
                Enum = hasEnum ? ParseEnum(en, path) : null,
                MaxLength = Int(e, "maxLength", path),
            },
            SchemaKind.Number or SchemaKind.Integer => ParseNumber(e, kind, path),
            SchemaKind.Array => ParseArray(e, path),
            _ => new SchemaNode { Kind = kind },
        };
    }

    private static SchemaNode ParseObject(JsonElement e, string path)
    {
        var props = new List<KeyValuePair<string, SchemaNode>>();
        if (e.TryGetProperty("properties", out var ps))
        {
            if (ps.ValueKind != JsonValueKind.Object) throw Bad(path, "'properties' must be an object");
            foreach (var p in ps.EnumerateObject()) props.Add(new(p.Name, Parse(p.Value, $"{path}.{p.Name}")));
        }
        var required = new HashSet<string>();
        if (e.TryGetProperty("required", out var rq))
        {
            if (rq.ValueKind != JsonValueKind.Array) throw Bad(path, "'required' must be an array");
            foreach (var r in rq.EnumerateArray())
            {
                var name = r.GetString() ?? "";
                if (!props.Any(p => p.Key == name)) throw Bad(path, $"required property '{name}' is not in 'properties'");
                required.Add(name);
            }
        }
        return new SchemaNode { Kind = SchemaKind.Object, Properties = props, Required = required };
    }

    private static string[] ParseEnum(JsonElement en, string path)
    {
        if (en.ValueKind != JsonValueKind.Array || en.GetArrayLength() == 0) throw Bad(path, "'enum' must be a non-empty array");
        var values = en.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(path, "'enum' values must be strings")).ToArray();
        if (values.Length > 64) throw Bad(path, "'enum' may list at most 64 values");
        return values.Distinct().ToArray();
    }

    private static SchemaNode ParseNumber(JsonElement e, SchemaKind kind, string path)
    {
        decimal? Bound(string k) => e.TryGetProperty(k, out var v) ? v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : throw Bad(path, $"'{k}' must be a number") : null;
        var (min, max) = (Bound("minimum"), Bound("maximum"));
        if (min > max) throw Bad(path, "'minimum' is above 'maximum'");
        return new SchemaNode { Kind = kind, Minimum = min, Maximum = max };
    }

    private static SchemaNode ParseArray(JsonElement e, string path)
    {
        if (!e.TryGetProperty("items", out var items)) throw Bad(path, "array needs 'items'");
        var min = Int(e, "minItems", path) ?? 0;
        var max = Int(e, "maxItems", path);
        if (max < min) throw Bad(path, "'maxItems' is below 'minItems'");
        return new SchemaNode { Kind = SchemaKind.Array, Items = Parse(items, path + "[]"), MinItems = min, MaxItems = max };
    }

    private static int? Int(JsonElement e, string key, string path) =>
        !e.TryGetProperty(key, out var v) ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 0 ? i : throw Bad(path, $"'{key}' must be a non-negative integer");

    private static FormatException Bad(string path, string why) => new($"schema {path}: {why}");
}
