using StreamWatch.Inference.Onnx;

namespace StreamWatch.Inference.Qwen3Vl;

/// <summary>What the three graphs' input/output names, ranks and element types say about an export (pure).</summary>
public sealed record ModelSignature(
    OnnxElementType PixelType, OnnxElementType ImageFeatureType, IReadOnlyList<string> VisionDeepStack,
    bool EmbeddingScattersImages, OnnxElementType EmbedsType, int Hidden,
    int Layers, int KvHeads, int HeadDim, OnnxElementType KvType, OnnxElementType LogitsType, int Vocab,
    IReadOnlyList<string> DecoderDeepStack)
{
    public const string PixelValues = "pixel_values", GridThw = "image_grid_thw", ImageFeatures = "image_features";
    public const string InputIds = "input_ids", InputsEmbeds = "inputs_embeds", AttentionMask = "attention_mask";
    public const string PositionIds = "position_ids", Logits = "logits";
    public static string PastKey(int i) => $"past_key_values.{i}.key";
    public static string PastValue(int i) => $"past_key_values.{i}.value";
    public static string PresentKey(int i) => $"present.{i}.key";
    public static string PresentValue(int i) => $"present.{i}.value";

    public bool HasDeepStack => DecoderDeepStack.Count > 0;

    public static ModelSignature From(
        IReadOnlyList<TensorInfo> visionIn, IReadOnlyList<TensorInfo> visionOut,
        IReadOnlyList<TensorInfo> embedIn, IReadOnlyList<TensorInfo> embedOut,
        IReadOnlyList<TensorInfo> decIn, IReadOnlyList<TensorInfo> decOut)
    {
        var pixels = Need(visionIn, PixelValues, "vision input", 2, Floats);
        Need(visionIn, GridThw, "vision input", 2, [OnnxElementType.Int64]);
        var feats = Need(visionOut, ImageFeatures, "vision output", 2, Floats);
        var visionDs = DeepStackNames(visionOut);

        Need(embedIn, InputIds, "embedding input", 2, [OnnxElementType.Int64]);
        var embedFeats = embedIn.FirstOrDefault(t => t.Name == ImageFeatures);
        if (embedFeats != null) Need(embedIn, ImageFeatures, "embedding input", 2, Floats);
        var embOut = Need(embedOut, InputsEmbeds, "embedding output", 3, Floats);

        var embeds = Need(decIn, InputsEmbeds, "decoder input", 3, Floats);
        Need(decIn, AttentionMask, "decoder input", 2, [OnnxElementType.Int64]);
        var pos = Need(decIn, PositionIds, "decoder input", 3, [OnnxElementType.Int64]);
        if (pos.Dims[0] >= 0 && pos.Dims[0] != 3)
            throw new ModelFormatException($"decoder input {pos}: the first dimension must be 3 (M-RoPE t/h/w rows)");
        var logits = Need(decOut, Logits, "decoder output", 3, Floats);
        if (embOut.ElementType != embeds.ElementType)
            throw new ModelFormatException($"embedding output {embOut} and decoder input {embeds} disagree on the element type");

        int layers = 0;
        while (decIn.Any(t => t.Name == PastKey(layers))) layers++;
        if (layers == 0) throw new ModelFormatException("decoder has no past_key_values.0.key input: not a KV-cache decoder export");
        var k0 = Need(decIn, PastKey(0), "decoder input", 4, Floats);
        if (k0.Dims[1] <= 0 || k0.Dims[3] <= 0)
            throw new ModelFormatException($"decoder input {k0}: KV heads and head size (dims 1 and 3) must be fixed numbers");
        for (int i = 0; i < layers; i++)
            foreach (var (list, name, what) in new[] { (decIn, PastKey(i), "decoder input"), (decIn, PastValue(i), "decoder input"),
                                                        (decOut, PresentKey(i), "decoder output"), (decOut, PresentValue(i), "decoder output") })
            {
                var t = Need(list, name, what, 4, Floats);
                if (t.ElementType != k0.ElementType || t.Dims[1] != k0.Dims[1] || t.Dims[3] != k0.Dims[3])
                    throw new ModelFormatException($"{what} {t} does not match {k0} (element type, KV heads, head size)");
            }

        var decDs = DeepStackNames(decIn);
        if (decDs.Count > 0 && decDs.Count != visionDs.Count)
            throw new ModelFormatException($"decoder takes {decDs.Count} DeepStack inputs ({string.Join(", ", decDs)}) but the vision graph emits {visionDs.Count}");
        var known = new HashSet<string> { InputsEmbeds, AttentionMask, PositionIds };
        for (int i = 0; i < layers; i++) { known.Add(PastKey(i)); known.Add(PastValue(i)); }
        known.UnionWith(decDs);
        var unknown = decIn.Where(t => !known.Contains(t.Name)).Select(t => t.Name).ToList();
        if (unknown.Count > 0) throw new ModelFormatException($"decoder has inputs the runner does not know: {string.Join(", ", unknown)}");

        int hidden = (int)embeds.Dims[2];
        if (hidden <= 0) hidden = (int)Math.Max(embOut.Dims[2], feats.Dims[1]);
        if (hidden <= 0) throw new ModelFormatException($"decoder input {embeds}: the hidden size (dim 2) must be a fixed number");
        return new ModelSignature(pixels.ElementType, embedFeats?.ElementType ?? feats.ElementType, visionDs,
            embedFeats != null, embeds.ElementType, hidden, layers, (int)k0.Dims[1], (int)k0.Dims[3], k0.ElementType,
            logits.ElementType, (int)logits.Dims[2], decDs);
    }

    private static readonly OnnxElementType[] Floats = [OnnxElementType.Float, OnnxElementType.Float16];

    private static TensorInfo Need(IReadOnlyList<TensorInfo> list, string name, string what, int rank, OnnxElementType[] types)
    {
        var t = list.FirstOrDefault(x => x.Name == name)
            ?? throw new ModelFormatException($"{what} '{name}' is missing (has: {string.Join(", ", list.Select(x => x.Name))})");
        if (t.Rank != rank) throw new ModelFormatException($"{what} {t} has rank {t.Rank}, expected {rank}");
        if (!types.Contains(t.ElementType))
            throw new ModelFormatException($"{what} {t} has element type {t.ElementType}, expected {string.Join(" or ", types)}");
        return t;
    }

    /// <summary>Names starting with "deepstack", ordered by their trailing number.</summary>
    private static List<string> DeepStackNames(IReadOnlyList<TensorInfo> list) =>
        list.Where(t => t.Name.StartsWith("deepstack", StringComparison.Ordinal)).Select(t => t.Name)
            .OrderBy(n => int.TryParse(new string(n.Reverse().TakeWhile(char.IsDigit).Reverse().ToArray()), out var k) ? k : int.MaxValue)
            .ThenBy(n => n, StringComparer.Ordinal).ToList();

    public string Describe() =>
        $"""
        vision:    pixel_values {PixelType}, image_features {ImageFeatureType}
        embedding: inputs_embeds {EmbedsType} [batch, seq, {Hidden}], {(EmbeddingScattersImages ? "takes image_features (scatters image rows itself)" : "ids only (the runner scatters image rows, id 151655)")}
        decoder:   {Layers} layers, KV {KvType} [batch, {KvHeads}, past, {HeadDim}], logits {LogitsType} [batch, seq, {(Vocab > 0 ? Vocab.ToString() : "vocab")}]
        DeepStack: {(HasDeepStack ? $"yes ({string.Join(", ", DecoderDeepStack)})" : "no (the export drops it; expect lower accuracy)")}
        """;
}
