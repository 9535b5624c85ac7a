using Microsoft.Extensions.Logging.Abstractions;
using StreamWatch.Config;
using StreamWatch.Core.Config;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Observability.Http;
using StreamWatch.Runtime;

namespace StreamWatch.IntegrationTests.Runtime;

/// <summary>
/// The cluster supervisor starts and stops cameras as claims come and go, so a stop can meet a start
/// of the same camera. Whatever the interleaving, a stop afterwards must end the camera completely
/// and leave its name free. Real CameraSet, real ffmpeg on a file. (The race fixed in CameraSet.Start,
/// a stop between the start's placeholder and its final entry, had a window too narrow for this test
/// to hit: it passed on the old code too. The fix removes that window by construction.)
/// </summary>
public sealed class CameraSetTests
{
    [Fact]
    public async Task A_stop_racing_a_start_always_leaves_a_camera_that_the_next_stop_ends_and_a_start_can_take_again()
    {
        var dir = Repo.TempDir("cameraset");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 2, enterS: 1);
            var options = new AppOptions();
            options.Cameras.Add(new CameraOptions { Name = "race", Url = clip, Loop = true });
            var set = new CameraSet(options, NullLoggerFactory.Instance, TimeProvider.System, new HealthState(),
                _ => { }, null, () => { });
            for (var i = 0; i < 200; i++)
            {
                using var together = new Barrier(2);
                var start = Task.Run(() => { together.SignalAndWait(); set.Start("race"); });
                var stop = Task.Run(async () => { together.SignalAndWait(); await set.StopAsync("race"); });
                await Task.WhenAll(start, stop);

                await set.StopAsync("race"); // whichever came first, this one ends it
                Assert.Null(set.Worker("race"));
                Assert.True(set.AllStopped.IsCompleted, $"round {i}: a run is still listed");
            }
            set.Start("race"); // the name is free again
            Assert.NotNull(set.Worker("race"));
            await set.StopAsync("race");
            Assert.Empty(set.Workers);
        }
        finally { Directory.Delete(dir, true); }
    }
}
