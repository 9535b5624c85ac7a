using System.Diagnostics;
using System.Text;

namespace StreamWatch.Observability.Prometheus;

/// <summary>Process and .NET runtime figures under the standard Prometheus process_* names plus dotnet_*.</summary>
internal static class ProcessMetrics
{
    private static readonly double StartTime;

    static ProcessMetrics()
    {
        using var p = Process.GetCurrentProcess();
        StartTime = new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }

    public static void Render(StringBuilder sb)
    {
        using var p = Process.GetCurrentProcess();
        Single(sb, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", p.TotalProcessorTime.TotalSeconds);
        Single(sb, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.WorkingSet64);
        Single(sb, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.VirtualMemorySize64);
        Single(sb, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", StartTime);
        if (OpenFds() is { } fds) Single(sb, "process_open_fds", "gauge", "Number of open file descriptors.", fds);
        Single(sb, "process_threads", "gauge", "Number of OS threads in the process.", p.Threads.Count);

        PrometheusText.Header(sb, "dotnet_gc_collections_total", "counter", "Garbage collections since the process started, by generation.");
        for (var g = 0; g <= GC.MaxGeneration; g++)
            PrometheusText.Sample(sb, "dotnet_gc_collections_total", $"generation=\"{g}\"", null, GC.CollectionCount(g));
        var info = GC.GetGCMemoryInfo();
        Single(sb, "dotnet_gc_heap_size_bytes", "gauge", "Bytes currently allocated on the managed heap (approximate).", GC.GetTotalMemory(false));
        Single(sb, "dotnet_gc_committed_bytes", "gauge", "Bytes committed for the managed heap as of the last collection.", info.TotalCommittedBytes);
        Single(sb, "dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started.", GC.GetTotalAllocatedBytes());
        Single(sb, "dotnet_gc_pause_seconds_total", "counter", "Time the runtime was paused for garbage collection.", GC.GetTotalPauseDuration().TotalSeconds);
        Single(sb, "dotnet_threadpool_threads", "gauge", "Thread-pool threads that currently exist.", ThreadPool.ThreadCount);
        Single(sb, "dotnet_threadpool_queue_length", "gauge", "Work items queued to the thread pool and not yet started.", ThreadPool.PendingWorkItemCount);
        Single(sb, "dotnet_threadpool_completed_items_total", "counter", "Work items the thread pool has completed.", ThreadPool.CompletedWorkItemCount);
    }

    private static void Single(StringBuilder sb, string name, string type, string help, double value)
    {
        PrometheusText.Header(sb, name, type, help);
        PrometheusText.Sample(sb, name, "", null, value);
    }

    private static int? OpenFds()
    {
        try { return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
