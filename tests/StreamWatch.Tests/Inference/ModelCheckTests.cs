using StreamWatch.Inference.Onnx;
using StreamWatch.Inference.Qwen3Vl;
using StreamWatch.Tests.Inference.Onnx;

namespace StreamWatch.Tests.Inference;

public class ModelCheckTests
{
    [Fact]
    public void Reports_layout_tensors_dtypes_layers_kv_shape_deepstack_and_providers()
    {
        var dir = TinyQwen.Write(new TinySpec(ModelLayout.GenAi, Float16: true, DeepStack: true));
        try
        {
            var r = ModelCheck.Run(dir, TestOrt.Cpu);
            Assert.True(r.Ok, r.Report);
            Assert.Contains("layout: onnxruntime-genai / Olive", r.Report);
            Assert.Contains("providers available: ", r.Report);
            Assert.Contains("CPUExecutionProvider", r.Report);
            Assert.Contains("2 layers, KV Float16 [batch, 2, past, 3]", r.Report);
            Assert.Contains("position_ids Int64 [3,batch_size,sequence_length]", r.Report);
            Assert.Contains("DeepStack: yes (deepstack_features_0, deepstack_features_1, deepstack_features_2)", r.Report);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Says_deepstack_is_absent_for_onnx_community_exports()
    {
        var dir = TinyQwen.Write(new TinySpec(ModelLayout.OnnxCommunity));
        try
        {
            var r = ModelCheck.Run(dir, TestOrt.Cpu);
            Assert.True(r.Ok, r.Report);
            Assert.Contains("layout: onnx-community", r.Report);
            Assert.Contains("decoder graph: onnx/decoder_model_merged.onnx", r.Report);
            Assert.Contains("DeepStack: no", r.Report);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Says_exactly_what_is_wrong()
    {
        var spec = new TinySpec(ModelLayout.OnnxCommunity);
        var dir = TinyQwen.Write(spec);
        try
        {
            // A decoder without the KV cache (the embedding graph in its place).
            File.WriteAllBytes(Path.Combine(dir, "onnx", "decoder_model_merged.onnx"), TinyQwen.Embedding(spec));
            var r = ModelCheck.Run(dir, TestOrt.Cpu);
            Assert.False(r.Ok);
            Assert.Contains("problem: decoder input 'inputs_embeds' is missing (has: input_ids)", r.Report);

            File.Delete(Path.Combine(dir, "onnx", "embed_tokens.onnx"));
            r = ModelCheck.Run(dir, TestOrt.Cpu);
            Assert.Contains("onnx-community layout is missing onnx/embed_tokens*.onnx", r.Report);

            File.WriteAllBytes(Path.Combine(dir, "onnx", "embed_tokens.onnx"), [0x08, 0xff, 0x01, 0x02]);
            r = ModelCheck.Run(dir, TestOrt.Cpu);
            Assert.False(r.Ok);
            Assert.Contains("embedding graph", r.Report);
            Assert.Contains("ONNX Runtime cannot load it", r.Report);
        }
        finally { Directory.Delete(dir, true); }
    }
}

public class ModelLayoutDetectorTests
{
    [Fact]
    public void Onnx_community_prefers_a_variant_all_three_graphs_share()
    {
        var f = ModelLayoutDetector.Detect("/m", ["config.json", "onnx/vision_encoder.onnx", "onnx/vision_encoder_fp16.onnx",
            "onnx/embed_tokens_fp16.onnx", "onnx/embed_tokens_q4.onnx", "onnx/decoder_model_merged_q4.onnx", "onnx/decoder_model_merged_fp16.onnx",
            "onnx/decoder_model_merged_fp16.onnx_data"], null);
        Assert.Equal(ModelLayout.OnnxCommunity, f.Layout);
        Assert.Equal(["/m/onnx/vision_encoder_fp16.onnx", "/m/onnx/embed_tokens_fp16.onnx", "/m/onnx/decoder_model_merged_fp16.onnx"], [f.Vision, f.Embedding, f.Decoder]);
    }

    [Fact]
    public void GenAi_uses_the_config_file_names_or_guesses_them()
    {
        var named = ModelLayoutDetector.Detect("/m", ["genai_config.json", "a.onnx", "b.onnx", "c.onnx"],
            """{"model":{"type":"qwen3_vl","vision":{"filename":"a.onnx"},"embedding":{"filename":"b.onnx"},"decoder":{"filename":"c.onnx"}}}""");
        Assert.Equal((ModelLayout.GenAi, "/m/a.onnx", "/m/b.onnx", "/m/c.onnx"), (named.Layout, named.Vision, named.Embedding, named.Decoder));
        var guessed = ModelLayoutDetector.Detect("/m", ["genai_config.json", "qwen3-vl-vision.onnx", "qwen3-vl-embedding.onnx", "model.onnx"],
            """{"model":{"type":"qwen3_vl"}}""");
        Assert.Equal("/m/model.onnx", guessed.Decoder);
        Assert.Equal("/m/qwen3-vl-vision.onnx", guessed.Vision);
    }

    [Theory]
    [InlineData("""{"model":{"type":"phi3v"}}""", "model.type is \"phi3v\", expected \"qwen3_vl\"")]
    [InlineData("""{"model":{"type":"qwen3_vl","decoder":{"filename":"gone.onnx"}}}""", "model.decoder.filename \"gone.onnx\" does not exist")]
    [InlineData("""{"nope":1}""", "no \"model\" section")]
    [InlineData("""{"model":""", "not valid JSON")]
    public void GenAi_config_problems_are_named(string json, string expected)
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelLayoutDetector.Detect("/m", ["genai_config.json", "vision.onnx", "embedding.onnx", "model.onnx"], json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void An_unknown_folder_lists_what_was_expected_and_found()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelLayoutDetector.Detect("/m", ["model.safetensors", "config.json"], null));
        Assert.Contains("expected genai_config.json", e.Message);
        Assert.Contains("found: model.safetensors, config.json", e.Message);
        Assert.Throws<ModelFormatException>(() => ModelLayoutDetector.Detect("/definitely/not/here"));
    }
}
