namespace StreamWatch.Cli;

/// <summary>`streamwatch model check DIR`: what an ONNX model folder holds, or what is wrong with it.</summary>
public static class ModelCommand
{
    public static int Run(CommandLine cl)
    {
        if (cl.Positional is not ["check", var dir]) throw new UsageException("usage: streamwatch model check DIR");
        if (!Directory.Exists(dir)) throw new UsageException($"'{dir}' is not a directory");
        Console.Error.WriteLine("streamwatch: model check is not wired yet");
        return 1;
    }
}
