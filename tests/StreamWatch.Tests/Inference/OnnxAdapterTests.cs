using StreamWatch.Core.Config;
using StreamWatch.Inference.Onnx;
using StreamWatch.Tests.Inference.Onnx;

namespace StreamWatch.Tests.Inference;

public class OnnxAdapterTests
{
    private static byte[] AddMatMulModel(OnnxType type)
    {
        var g = new OnnxGraph();
        g.Input("a", type, "n", 2);
        g.Input("b", type, "n", 2);
        g.Output("y", type, "n", 3);
        var w = type == OnnxType.Float16
            ? g.Const(new[] { 1f, 0, 2, 0, 1, 3 }.Select(f => (Half)f).ToArray(), 2, 3)
            : g.Const([1f, 0, 2, 0, 1, 3], 2, 3);
        g.Node("MatMul", [g.Node("Add", "a", "b"), w], ["y"]);
        return g.ToModel();
    }

    [Fact]
    public void Loads_the_library_and_reports_version_and_providers()
    {
        var rt = TestOrt.Runtime;
        Assert.Equal("1.32.0", rt.Version);
        Assert.Contains("CPUExecutionProvider", rt.AvailableProviders);
    }

    [Fact]
    public void Runs_a_tiny_add_matmul_model_from_bytes()
    {
        using var s = TestOrt.Runtime.OpenSession(AddMatMulModel(OnnxType.Float), TestOrt.Cpu);
        Assert.Equal(ExecutionProvider.Cpu, s.Provider);
        Assert.Equal(["a", "b"], s.Inputs.Select(i => i.Name));
        var y = Assert.Single(s.Outputs);
        Assert.Equal(OnnxElementType.Float, y.ElementType);
        Assert.Equal([-1L, 3], y.Dims);
        Assert.Equal("n", y.SymbolicDims[0]);

        using var a = OnnxTensor.FromArray(new[] { 1f, 2, 3, 4 }, 2, 2);
        using var b = OnnxTensor.FromArray(new[] { 10f, 20, 30, 40 }, 2, 2);
        var outs = s.Run(["a", "b"], [a, b], ["y"]);
        using var o = outs[0];
        Assert.Equal([2L, 3], o.Shape);
        // rows (11,22) and (33,44) times [[1,0,2],[0,1,3]]
        Assert.Equal([11f, 22, 88, 33, 44, 198], o.AsSpan<float>().ToArray());
    }

    [Fact]
    public void Float16_tensors_round_trip_through_half()
    {
        using var s = TestOrt.Runtime.OpenSession(AddMatMulModel(OnnxType.Float16), TestOrt.Cpu);
        Assert.Equal(OnnxElementType.Float16, s.Inputs[0].ElementType);
        using var a = OnnxTensor.FromArray(new[] { (Half)1, (Half)2 }, 1, 2);
        using var b = OnnxTensor.FromArray(new[] { (Half)0.5, (Half)0 }, 1, 2);
        using var o = s.Run(["a", "b"], [a, b], ["y"])[0];
        Assert.Equal(OnnxElementType.Float16, o.ElementType);
        Assert.Equal([1.5f, 2f, 9f], o.AsSpan<Half>().ToArray().Select(h => (float)h));
        Assert.Throws<InvalidOperationException>(() => o.AsSpan<float>());
    }

    [Fact]
    public void A_bad_model_raises_the_status_message()
    {
        var e = Assert.Throws<OnnxException>(() => TestOrt.Runtime.OpenSession([1, 2, 3, 4, 5], TestOrt.Cpu));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void A_wrong_input_raises_a_clear_error_and_the_session_stays_usable()
    {
        using var s = TestOrt.Runtime.OpenSession(AddMatMulModel(OnnxType.Float), TestOrt.Cpu);
        using var a = OnnxTensor.FromArray(new[] { 1f, 2, 3 }, 1, 3); // wrong last dim
        using var b = OnnxTensor.FromArray(new[] { 1f, 2 }, 1, 2);
        var e = Assert.Throws<OnnxException>(() => s.Run(["a", "b"], [a, b], ["y"]));
        Assert.Contains("a", e.Message);
        Assert.Throws<ArgumentException>(() => s.Run(["nope", "b"], [a, b], ["y"]));
        using var a2 = OnnxTensor.FromArray(new[] { 1f, 2 }, 1, 2);
        using var o = s.Run(["a", "b"], [a2, b], ["y"])[0];
        Assert.Equal([2f, 4, 16], o.AsSpan<float>().ToArray());
    }

    [Fact]
    public void Cuda_on_a_cpu_only_library_falls_back_to_cpu_and_says_why()
    {
        var log = new ListLogger();
        var rt = new OnnxEnvironment(log);
        var cuda = new OnnxOptions { Provider = ExecutionProvider.Cuda, DeviceId = 0, GpuMemLimitBytes = 1 << 30, IntraOpThreads = 1 };
        using var s = rt.OpenSession(AddMatMulModel(OnnxType.Float), cuda);
        if (TestOrt.CudaLibrariesPresent) { Assert.Equal(ExecutionProvider.Cuda, s.Provider); return; }   // a CUDA machine: nothing to fall back from
        Assert.Equal(ExecutionProvider.Cpu, s.Provider);
        // the loader's own reason, naming the library it could not open (no CUDA 13 on this machine)
        Assert.Contains("Failed to load library", rt.CudaUnavailableReason);
        Assert.Contains("cannot open shared object file", rt.CudaUnavailableReason);
        var line = Assert.Single(log.Lines, l => l.Message.Contains("CUDA"));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, line.Level);
        Assert.Contains("using CPU", line.Message);
        Assert.Contains(rt.CudaUnavailableReason!, line.Message);
        using var s2 = rt.OpenSession(AddMatMulModel(OnnxType.Float), cuda); // decided once, logged once
        Assert.Single(log.Lines, l => l.Message.Contains("CUDA"));
    }

    [Fact]
    public void Options_validate_with_section_keys()
    {
        var errors = new ConfigErrors();
        new OnnxOptions { Provider = (ExecutionProvider)7, DeviceId = -1, GpuMemLimitBytes = -5, IntraOpThreads = 999, TokenizerPath = "/no/tokenizer.json" }.Validate("Ort", errors);
        Assert.Equal(6, errors.Errors.Count);
        Assert.Contains(errors.Errors, e => e.StartsWith("Ort:ModelDirectory"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Ort:TokenizerPath"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Ort:Provider"));
        Assert.Contains(errors.Errors, e => e.StartsWith("Ort:IntraOpThreads"));
        var ok = new ConfigErrors();
        new OnnxOptions { Provider = ExecutionProvider.Cuda, ModelDirectory = Path.GetTempPath() }.Validate("Ort", ok);
        Assert.False(ok.Any);
    }

    [Theory]
    [InlineData(ExecutionProvider.Cpu, "cpu")]
    [InlineData(ExecutionProvider.Cuda, "cuda")]
    public void The_provider_text_is_the_config_name(ExecutionProvider p, string text)
    {
        Assert.Equal(text, p.Text());
        Assert.Contains(text, ConfigErrors.OneOf<ExecutionProvider>());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ExecutionProvider)7).Text());
    }
}
