using StreamWatch.Core.Pipeline;

namespace StreamWatch.Tests.Pipeline;

public class AnalysisSizeTests
{
    [Theory]
    [InlineData(672, 378, 320, 320, 180)]
    [InlineData(378, 672, 320, 320, 568)]
    [InlineData(200, 100, 320, 200, 100)]
    [InlineData(672, 504, 321, 320, 240)]
    public void Analysis_size_keeps_aspect_and_even_dimensions(int w, int h, int aw, int ew, int eh)
    {
        Assert.Equal((ew, eh), CameraPipeline.AnalysisSize(aw, w, h));
    }
}
