using BenchmarkDotNet.Running;
using StreamWatch.Benchmarks;

if (args is ["motion-clips", .. var rest]) return MotionClipCheck.Run(rest);
BenchmarkSwitcher.FromAssembly(typeof(MotionBenchmarks).Assembly).Run(args);
return 0;
