using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamWatch.IntegrationTests.Observability;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Daemon;

/// <summary>
/// Scrapes the real daemon (the demo camera of config/demo.json, MQTT on to a local mosquitto, the ONNX
/// backend on ../shared/fixtures/qwen3vl-tiny with a rule that asks the model) and compares the series
/// with docs/metrics.md both ways, and the alerting rules with the series that exist; promtool finds nothing in it.
/// </summary>
public class DaemonMetricsTests
{
    private static readonly string[] Stages = ["gate", "keyframe_queue", "inference", "publish"];

    [Fact]
    public async Task A_running_daemon_serves_exactly_the_documented_series_and_the_rules_use_only_those()
    {
        var dir = Repo.TempDir("daemonmetrics");
        try
        {
            var clip = Path.Combine(dir, "demo.mp4");
            var (code, output) = await Tools.RunAsync("bash", [Path.Combine(Repo.Root, "scripts", "demo-clip.sh"), clip]);
            Assert.True(code == 0, output);
            var demo = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "config", "demo.json")))!;
            var camera = demo["Cameras"]![0]!.DeepClone();
            camera["Url"] = clip;
            camera["Rules"]![0]!["Profile"] = "security"; // the zone rule asks the model
            var model = Path.Combine(Repo.Shared, "fixtures", "qwen3vl-tiny", "model");

            await using var broker = await MosquittoBroker.StartAsync();
            var extra = $$$""", "Mqtt": {"Enabled": true, "Port": {{{broker.Port}}}, "ClientId": "sw-metrics", "Discovery": {"Enabled": false}}"""
                + $$$""", "Model": {"Backend": "onnx", "Onnx": {"ModelDirectory": "{{{model}}}"}}""";
            await using var daemon = await DaemonProcess.StartAsync(new JsonArray(camera).ToJsonString(), extra: extra);

            var documented = Documented();
            var required = documented.Where(d => !d.Value.Optional).Select(d => d.Key).ToList();
            Scrape scrape = new("");
            var text = "";
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(240));
            while (!bound.IsCancellationRequested)
            {
                (_, text) = await daemon.GetAsync("metrics");
                scrape = new Scrape(text);
                if (required.All(scrape.HasData) && Stages.All(s => scrape.HistogramCount("streamwatch_stage_latency_seconds", "stage", s) > 0)) break;
                await Task.Delay(500, CancellationToken.None); // poll interval of a bounded wait on the condition above
            }

            var missing = required.Where(f => !scrape.HasData(f)).ToList();
            Assert.True(missing.Count == 0, "documented but without data after 240 s: " + string.Join(", ", missing) + "\n" + daemon.Process.Output);
            foreach (var s in Stages) Assert.True(scrape.HistogramCount("streamwatch_stage_latency_seconds", "stage", s) > 0, $"stage {s} never recorded");

            var undocumented = scrape.Families.Keys.Where(f => !documented.ContainsKey(f)).ToList();
            Assert.True(undocumented.Count == 0, "served but not in docs/metrics.md: " + string.Join(", ", undocumented));
            foreach (var (family, type) in scrape.Families)
                Assert.True(documented[family].Type == type, $"{family}: served as {type}, documented as {documented[family].Type}");
            foreach (var (family, labels) in scrape.Labels)
                Assert.True(documented[family].Labels.SetEquals(labels),
                    $"{family}: labels {string.Join(",", labels)}, documented {string.Join(",", documented[family].Labels)}");

            var (promtool, findings) = await Tools.RunAsync("promtool", ["check", "metrics"], stdin: text);
            Assert.True(promtool == 0 && findings.Length == 0, $"promtool check metrics exit {promtool}:\n{findings}");

            var rules = Path.Combine(Repo.Root, "config", "prometheus", "rules.yml");
            var exprs = Regex.Matches(await File.ReadAllTextAsync(rules), @"(?m)^\s*expr:\s*(.+)$").Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(exprs);
            var named = exprs.SelectMany(e => Regex.Matches(e, @"\b(?:streamwatch|process|dotnet)_[a-z0-9_]+").Select(m => scrape.FamilyOf(m.Value))).ToHashSet();
            var unknown = named.Where(n => !scrape.HasData(n)).ToList();
            Assert.True(unknown.Count == 0, "rules.yml names series the daemon does not serve: " + string.Join(", ", unknown));
            var (rc, check) = await Tools.RunAsync("promtool", ["check", "rules", rules]);
            Assert.True(rc == 0, check);

            var exit = await daemon.StopAsync();
            var log = daemon.Process.Output;
            Assert.True(exit == 0, $"exit {exit} on SIGTERM:\n{log[Math.Max(0, log.Length - 6000)..]}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private sealed record Doc(string Type, HashSet<string> Labels, bool Optional);

    /// <summary>The metric families table of docs/metrics.md: family names (backticked), type, label names, optional.</summary>
    private static Dictionary<string, Doc> Documented()
    {
        var docs = new Dictionary<string, Doc>();
        foreach (var line in File.ReadLines(Path.Combine(Repo.Root, "docs", "metrics.md")).Where(l => l.StartsWith("| `")))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray(); // "", family, type, labels, meaning, ""
            if (cells.Length != 6) continue; // another table (endpoints)
            var labels = Regex.Replace(cells[3], @"\([^)]*\)", "").Split(',').Select(l => l.Trim()).Where(l => l is not ("" or "—")).ToHashSet();
            foreach (Match m in Regex.Matches(cells[1], "`([a-z0-9_]+)`"))
                docs[m.Groups[1].Value] = new Doc(cells[2], labels, cells[4].Contains("appears with its first occurrence"));
        }
        Assert.True(docs.Count > 30, $"docs/metrics.md table not found ({docs.Count} families)");
        return docs;
    }

    /// <summary>One scrape: families (from # TYPE), the label names their samples carry, sample values.</summary>
    private sealed class Scrape
    {
        private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = new();

        public Scrape(string text)
        {
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("# TYPE ")) { var p = line.Split(' '); Families[p[2]] = p[3]; continue; }
                if (line.Length == 0 || line[0] == '#') continue;
                var m = Regex.Match(line, @"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)");
                var labels = Regex.Matches(m.Groups[2].Value, @"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""").ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
                _samples.Add((m.Groups[1].Value, labels, double.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)));
            }
            foreach (var s in _samples)
                Labels.TryAdd(FamilyOf(s.Name), s.Labels.Keys.Where(k => k != "le").ToHashSet());
        }

        public Dictionary<string, string> Families { get; } = new();
        public Dictionary<string, HashSet<string>> Labels { get; } = new();

        /// <summary>The family a sample name belongs to (a histogram's _bucket/_sum/_count to the histogram).</summary>
        public string FamilyOf(string sample)
        {
            foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
                if (sample.EndsWith(suffix) && Families.GetValueOrDefault(sample[..^suffix.Length]) == "histogram") return sample[..^suffix.Length];
            return sample;
        }

        /// <summary>A counter or gauge with a sample; a histogram with an observation.</summary>
        public bool HasData(string family) => Families.GetValueOrDefault(family) == "histogram"
            ? _samples.Any(s => s.Name == family + "_count" && s.Value > 0)
            : _samples.Any(s => s.Name == family);

        public double HistogramCount(string family, string label, string value) =>
            _samples.Where(s => s.Name == family + "_count" && s.Labels.GetValueOrDefault(label) == value).Sum(s => s.Value);
    }
}
