using BenchmarkDotNet.Running;
using StreamWatch.Benchmarks;

if (args is ["motion-clips", .. var rest]) return MotionClipCheck.Run(rest);
if (args is ["fixture-steps", .. var fixture]) return StreamWatch.Benchmarks.Inference.FixtureDecodeSteps.Run(fixture);
if (args is ["takeover", .. var takeoverArgs]) return StreamWatch.Benchmarks.Cluster.TakeoverBenchmark.Run(takeoverArgs);
if (args is ["store", .. var storeArgs]) return StreamWatch.Benchmarks.Store.StoreBenchmark.Run(storeArgs);
BenchmarkSwitcher.FromAssembly(typeof(MotionBenchmarks).Assembly).Run(args);
return 0;
