using System.Text.Json;

namespace StreamWatch.Tests.Runtime;

/// <summary>
/// The daemon's GC settings (issue 15, memory) are in its runtimeconfig.json, so the build,
/// <c>dotnet run</c> and the .deb's self-contained publish all run with them.
/// </summary>
public class GcSettingsTests
{
    [Fact]
    public void The_daemons_runtimeconfig_caps_gen0_and_conserves_memory_on_a_workstation_gc()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "streamwatch.runtimeconfig.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var props = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal("8388608", props.GetProperty("System.GC.Gen0MaxBudget").ToString());
        Assert.Equal("5", props.GetProperty("System.GC.ConserveMemory").ToString());
        Assert.False(props.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(props.GetProperty("System.GC.Concurrent").GetBoolean());
    }
}
