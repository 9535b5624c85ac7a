using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.Runtime;

namespace StreamWatch.Tests.Runtime;

public class NoCamerasHintTests
{
    [Fact]
    public void NoCamerasSaysWhatToAddAndToWhichFile()
    {
        var hint = DaemonCommand.NoCamerasHint(new AppOptions(), "/etc/streamwatch/streamwatch.json");
        Assert.NotNull(hint);
        Assert.StartsWith("no cameras configured: add each camera to \"Cameras\" in /etc/streamwatch/streamwatch.json", hint);
        Assert.Contains("\"Name\"", hint);
        Assert.Contains("\"Url\"", hint);
        Assert.Contains("STREAMWATCH_Cameras__0__Url", hint);
    }

    [Fact]
    public void WithoutAConfigFileItNamesTheWorkingDirectorysAppsettings()
    {
        var hint = DaemonCommand.NoCamerasHint(new AppOptions(), null);
        Assert.Contains(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), hint);
    }

    [Fact]
    public void OnlyDisabledCamerasAreNamedAsSuch()
    {
        var options = new AppOptions();
        options.Cameras.Add(new CameraOptions { Name = "a", Url = "a.mp4", Enabled = false });
        Assert.StartsWith("1 camera(s) configured, none enabled", DaemonCommand.NoCamerasHint(options, "c.json"));
        options.Cameras.Add(new CameraOptions { Name = "b", Url = "b.mp4" });
        Assert.Null(DaemonCommand.NoCamerasHint(options, "c.json"));
    }
}
