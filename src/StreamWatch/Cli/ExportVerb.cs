using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using StreamWatch.Export;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch export [--since T] [--until T] [--camera NAME] --format ndjson|es-bulk [--index NAME] [--config FILE]</c>.</summary>
public static class ExportVerb
{
    public static Command Create()
    {
        var since = Time("--since", "Only events whose incident began at or after T (ISO 8601, UTC unless it says otherwise) [default: all]");
        var until = Time("--until", "Only events whose incident began before T (ISO 8601, UTC unless it says otherwise) [default: all]");
        var camera = new Option<string?>("--camera") { HelpName = "NAME", Description = "Only this camera's events [default: all cameras]" };
        var format = new Option<string>("--format")
        {
            Required = true, HelpName = "ndjson|es-bulk",
            Description = "ndjson: one event document per line; es-bulk: Elasticsearch _bulk pairs (action line, document line) keyed by event id",
        }.AcceptOnlyFromAmong("ndjson", "es-bulk");
        var index = new Option<string>("--index")
        {
            HelpName = "NAME", Description = "Elasticsearch index named in the es-bulk action lines",
            DefaultValueFactory = _ => ExportCommand.DefaultIndex,
        };
        var config = StreamWatchCli.ConfigOption();
        var verb = new Command("export", "Write the event store's events (newest first) to standard output as NDJSON or Elasticsearch bulk (docs/export.md)")
            { since, until, camera, format, index, config };
        verb.Validators.Add(r =>
        {
            if (r.GetResult(index) is { Implicit: false } && r.GetValue(format) != "es-bulk") r.AddError("--index applies only to --format es-bulk");
        });
        verb.SetAction((p, ct) => ExportCommand.RunAsync(p.GetValue(config), p.GetValue(since), p.GetValue(until), p.GetValue(camera),
            p.GetValue(format)!, p.GetValue(index)!, p.InvocationConfiguration.Output, p.InvocationConfiguration.Error, ct));
        return verb;
    }

    private static Option<DateTimeOffset?> Time(string name, string description) => new(name)
    {
        HelpName = "T", Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
            r.AddError($"{name}: '{text}' is not an ISO 8601 time (e.g. 2026-12-01T10:00:00Z)");
            return null;
        },
    };
}
