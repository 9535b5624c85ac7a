using BenchmarkDotNet.Running;
using StreamWatch.Benchmarks;

if (args is ["motion-clips", .. var rest]) return MotionClipCheck.Run(rest);
if (args is ["fixture-steps", .. var fixture]) return StreamWatch.Benchmarks.Inference.FixtureDecodeSteps.Run(fixture);
BenchmarkSwitcher.FromAssembly(typeof(MotionBenchmarks).Assembly).Run(args);
return 0;
