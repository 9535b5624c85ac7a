using Microsoft.ML.OnnxRuntime;

namespace StreamWatch.Inference.Onnx;

/// <summary>An inference session: its inputs/outputs and Run. Thread-safe for concurrent Run calls.</summary>
public sealed class OnnxSession : IDisposable
{
    private readonly SessionOptions _options;

    internal OnnxSession(InferenceSession session, SessionOptions options, ExecutionProvider provider, int deviceId)
    {
        Session = session; _options = options; Provider = provider; DeviceId = deviceId;
        Inputs = session.InputNames.Select(n => Describe(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => Describe(n, session.OutputMetadata[n])).ToArray();
    }

    /// <summary>Where this session actually runs (CPU when CUDA was asked for but could not load).</summary>
    public ExecutionProvider Provider { get; }
    public int DeviceId { get; }
    public IReadOnlyList<TensorInfo> Inputs { get; }
    public IReadOnlyList<TensorInfo> Outputs { get; }
    internal InferenceSession Session { get; }
    internal RunOptions RunOptions { get; } = new();

    public TensorInfo? Input(string name) => Inputs.FirstOrDefault(t => t.Name == name);
    public TensorInfo? Output(string name) => Outputs.FirstOrDefault(t => t.Name == name);

    private static TensorInfo Describe(string name, NodeMetadata m) => m.IsTensor
        ? new TensorInfo(name, (OnnxElementType)m.ElementDataType, m.Dimensions.Select(d => (long)d).ToArray(), m.SymbolicDimensions)
        : new TensorInfo(name, OnnxElementType.Undefined, [], []);

    /// <summary>Runs the graph; ONNX Runtime allocates the outputs (CPU), which the caller disposes.</summary>
    public OnnxTensor[] Run(IReadOnlyList<string> inputNames, IReadOnlyList<OnnxTensor> inputs, IReadOnlyList<string> outputNames)
    {
        if (inputNames.Count != inputs.Count) throw new ArgumentException("one input value per input name");
        foreach (var n in inputNames.Concat(outputNames))
            if (Input(n) == null && Output(n) == null) throw new ArgumentException($"the model has no input or output named '{n}'");
        try
        {
            var outs = Session.Run(RunOptions, inputNames, inputs.Select(i => i.Value).ToArray(), outputNames);
            return outs.Select(v => new OnnxTensor(v)).ToArray();   // each tensor now owns (and disposes) its value
        }
        catch (OnnxRuntimeException e) { throw new OnnxException(e.Message, e); }
    }

    /// <summary>Binds fixed input and output tensors once for repeated runs (see <see cref="BoundRun"/>).</summary>
    public BoundRun Bind(IEnumerable<(string Name, OnnxTensor Tensor)> inputs, IEnumerable<(string Name, OnnxTensor Tensor)> outputs) =>
        new(this, inputs, outputs);

    public void Dispose()
    {
        Session.Dispose();
        _options.Dispose();
        RunOptions.Dispose();
    }
}
