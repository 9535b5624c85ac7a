using System.CommandLine;
using System.Globalization;
using StreamWatch.Config;
using StreamWatch.Export;
using StreamWatch.Store;

namespace StreamWatch.Cli;

/// <summary><c>streamwatch export [--since T] [--until T] [--camera NAME] --format ndjson|es-bulk [--index NAME] [--config FILE]</c>.</summary>
public static class ExportVerb
{
    public static Command Create()
    {
        var config = StreamWatchCli.ConfigOption();
        var since = new Option<string?>("--since") { HelpName = "T", Description = "Only events that began at or after T (ISO 8601, UTC if no offset) [default: all]" };
        var until = new Option<string?>("--until") { HelpName = "T", Description = "Only events that began before T [default: all]" };
        var camera = new Option<string?>("--camera") { HelpName = "NAME", Description = "Only this camera's events [default: all]" };
        var format = new Option<string>("--format") { HelpName = "FORMAT", Description = "ndjson (one document a line) or es-bulk (Elasticsearch _bulk)", Required = true };
        format.AcceptOnlyFromAmong("ndjson", "es-bulk");
        var index = new Option<string>("--index") { HelpName = "NAME", Description = "Elasticsearch index for es-bulk", DefaultValueFactory = _ => EventExporter.DefaultIndex };
        var verb = new Command("export", "Write the stored events to standard output (docs/export.md)") { since, until, camera, format, index, config };
        verb.SetAction(async (p, ct) =>
        {
            var options = ConfigLoader.Load(p.GetValue(config));
            var filter = new EventQuery { From = Time(p.GetValue(since), "--since"), To = Time(p.GetValue(until), "--until"), Camera = p.GetValue(camera) };
            if (options.Store.Provider != "postgres")
            {
                var path = Path.GetFullPath(options.Output.Resolve(options.Store.Path));
                if (!File.Exists(path)) // opening it would create an empty store and export nothing without a word
                    throw new Core.Config.ConfigException([$"Store:Path: no event store at '{path}' (Store:Path '{options.Store.Path}' under Output:StateDirectory '{options.Output.StateDirectory}')"]);
            }
            using var store = await EventStores.OpenAsync(options.Store, options.Output.Resolve, ct);
            var n = await EventExporter.WriteAsync(store, filter, p.GetValue(format) == "es-bulk", p.GetValue(index)!, Console.Out, ct);
            Console.Error.WriteLine($"exported {n} event(s)");
            return 0;
        });
        return verb;
    }

    private static DateTimeOffset? Time(string? text, string option) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t
        : throw new UsageException($"{option}: '{text}' is not a time (ISO 8601, e.g. 2026-12-03T10:00:00Z)");
}
