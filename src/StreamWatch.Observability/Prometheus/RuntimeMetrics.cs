using Prometheus;

namespace StreamWatch.Observability.Prometheus;

/// <summary>.NET runtime figures that prometheus-net's DotNetStats does not export (GC volume and pauses, thread pool), read at scrape time.</summary>
internal static class RuntimeMetrics
{
    public static void Register(MetricFactory factory, CollectorRegistry registry)
    {
        var committed = factory.CreateGauge("dotnet_gc_committed_bytes", "Bytes committed for the managed heap as of the last collection.");
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.");
        var pause = factory.CreateCounter("dotnet_gc_pause_seconds_total", "Time the runtime was paused for garbage collection.");
        var threads = factory.CreateGauge("dotnet_threadpool_threads", "Thread-pool threads that currently exist.");
        var queue = factory.CreateGauge("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not yet started.");
        var completed = factory.CreateCounter("dotnet_threadpool_completed_items_total", "Work items the thread pool has completed.");
        registry.AddBeforeCollectCallback(() =>
        {
            committed.Set(GC.GetGCMemoryInfo().TotalCommittedBytes);
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
            threads.Set(ThreadPool.ThreadCount);
            queue.Set(ThreadPool.PendingWorkItemCount);
            completed.IncTo(ThreadPool.CompletedWorkItemCount);
        });
    }
}
