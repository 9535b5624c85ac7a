using System.Text.Json;

namespace StreamWatch.Inference.Json;

/// <summary>Checks a JSON document against a <see cref="SchemaNode"/>; returns every problem with its path.</summary>
public static class JsonSchemaValidator
{
    public static IReadOnlyList<string> Validate(SchemaNode schema, JsonElement value)
    {
        var errors = new List<string>();
        Check(schema, value, "$", errors);
        return errors;
    }

    /// <summary>Parses and validates text; errors include "not JSON" for unparsable text.</summary>
    public static IReadOnlyList<string> Validate(SchemaNode schema, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Validate(schema, doc.RootElement);
        }
        catch (JsonException e) { return [$"$: not JSON ({e.Message})"]; }
    }

    private static void Check(SchemaNode s, JsonElement v, string path, List<string> errors)
    {
        switch (s.Kind)
        {
            case SchemaKind.Object:
                if (v.ValueKind != JsonValueKind.Object) { errors.Add($"{path}: expected an object"); return; }
                foreach (var p in v.EnumerateObject())
                {
                    var prop = s.Properties.FirstOrDefault(x => x.Key == p.Name);
                    if (prop.Value is null) errors.Add($"{path}: unexpected property '{p.Name}'");
                    else Check(prop.Value, p.Value, $"{path}.{p.Name}", errors);
                }
                foreach (var r in s.Required)
                    if (!v.TryGetProperty(r, out _)) errors.Add($"{path}: missing required property '{r}'");
                break;
            case SchemaKind.String:
                if (v.ValueKind != JsonValueKind.String) { errors.Add($"{path}: expected a string"); return; }
                var str = v.GetString()!;
                if (s.Enum != null && !s.Enum.Contains(str)) errors.Add($"{path}: '{str}' is not one of {string.Join("|", s.Enum)}");
                if (s.MaxLength is { } ml && str.EnumerateRunes().Count() > ml) errors.Add($"{path}: longer than {ml} characters");
                break;
            case SchemaKind.Number or SchemaKind.Integer:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var d)) { errors.Add($"{path}: expected a number"); return; }
                if (s.Kind == SchemaKind.Integer && d != decimal.Truncate(d)) errors.Add($"{path}: expected an integer");
                if (d < s.Minimum || d > s.Maximum) errors.Add($"{path}: {d} is outside [{s.Minimum}, {s.Maximum}]");
                break;
            case SchemaKind.Boolean:
                if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) errors.Add($"{path}: expected true or false");
                break;
            case SchemaKind.Array:
                if (v.ValueKind != JsonValueKind.Array) { errors.Add($"{path}: expected an array"); return; }
                var n = v.GetArrayLength();
                if (n < s.MinItems || n > s.MaxItems) errors.Add($"{path}: {n} items, expected {s.MinItems}..{s.MaxItems?.ToString() ?? "any"}");
                var i = 0;
                foreach (var item in v.EnumerateArray()) Check(s.Items!, item, $"{path}[{i++}]", errors);
                break;
        }
    }
}
