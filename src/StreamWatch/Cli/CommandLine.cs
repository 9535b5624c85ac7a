namespace StreamWatch.Cli;

/// <summary>`streamwatch VERB [positional…] [--name value…]`; the verb defaults to `run`.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public string Verb { get; private init; } = "run";
    public List<string> Positional { get; } = new();

    public string? Option(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public string Require(string name) =>
        Option(name) ?? throw new UsageException($"--{name} is required");

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var verb = args.Count > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
        var cl = new CommandLine { Verb = verb };
        for (var i = verb == "run" && (args.Count == 0 || args[0] != "run") ? 0 : 1; i < args.Count; i++)
        {
            var a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Count) throw new UsageException($"{a} needs a value");
                cl._options[a[2..]] = args[++i];
            }
            else cl.Positional.Add(a);
        }
        return cl;
    }

    public const string Usage = """
        usage:
          streamwatch [run] [--config FILE]
          streamwatch replay VIDEO [--config FILE] [--camera NAME] [--events-out FILE]
          streamwatch eval --clips DIR --labels FILE [--config FILE] [--out FILE]
          streamwatch model check DIR
        """;
}

/// <summary>Wrong command-line words: exit code 64 (EX_USAGE) with the usage text.</summary>
public sealed class UsageException(string message) : Exception(message)
{
    public const int ExitCode = 64;
}
