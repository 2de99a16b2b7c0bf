using Tips.TestSupport.Telemetry;

namespace Tips.Bench.Monitoring;

/// <summary>
/// Where a window's time went inside Tips.Api, from the growth of its own metrics between two scrapes: time in the
/// server per GET /tips, CPU and allocations per request (all of the process's work in the window, divided by its
/// GET /tips requests), and the database round trips behind each. Any part a build does not expose stays null.
/// </summary>
internal sealed record ServiceCost(
    double TipsRequests,
    double? ServerMeanMs,
    double? CpuMsPerRequest,
    double? CpuPercent,
    double? AllocatedKbPerRequest,
    double? DbOperationsPerRequest,
    double? DbMsPerRequest,
    double? GcPauseMs,
    double? JitMs,
    double? ServingCpuPercent)
{
    private const string ServerDuration = "http_server_request_duration_seconds";

    public static ServiceCost? Between(MetricsScrape? apiBefore, MetricsScrape? apiAfter, MetricsScrape? servingBefore,
        MetricsScrape? servingAfter, TimeSpan window)
    {
        if (apiBefore is null || apiAfter is null)
        {
            return null;
        }

        var requests = Growth(apiBefore, apiAfter, ServerDuration + "_count", IsTipsRoute) ?? 0;
        double? PerRequest(double? total, double scale) => total is { } t && requests > 0 ? t * scale / requests : null;
        var cpu = Growth(apiBefore, apiAfter, "dotnet_process_cpu_time_seconds_total");
        var servingCpu = servingBefore is null || servingAfter is null
            ? null
            : Growth(servingBefore, servingAfter, "dotnet_process_cpu_time_seconds_total");
        var seconds = Math.Max(window.TotalSeconds, 1e-9);

        return new ServiceCost(
            requests,
            PerRequest(Growth(apiBefore, apiAfter, ServerDuration + "_sum", IsTipsRoute), 1000),
            PerRequest(cpu, 1000),
            cpu / seconds * 100,
            PerRequest(Growth(apiBefore, apiAfter, "dotnet_gc_heap_total_allocated_bytes_total"), 1.0 / 1024),
            PerRequest(Growth(apiBefore, apiAfter, "db_client_operation_duration_seconds_count"), 1),
            PerRequest(Growth(apiBefore, apiAfter, "db_client_operation_duration_seconds_sum"), 1000),
            Growth(apiBefore, apiAfter, "dotnet_gc_pause_time_seconds_total") * 1000,
            // Methods still being compiled (tiering up, or code made at run time) are CPU the requests do not get.
            Growth(apiBefore, apiAfter, "dotnet_jit_compilation_time_seconds_total") * 1000,
            servingCpu / seconds * 100);
    }

    /// <summary>GET /tips, whatever its status ("/tips/" as routed by a group, or "/tips").</summary>
    private static bool IsTipsRoute(MetricSample sample) =>
        sample.Labels.TryGetValue("http_route", out var route) && route is "/tips/" or "/tips" &&
        sample.Labels.TryGetValue("http_request_method", out var method) && method == "GET";

    private static double? Growth(MetricsScrape before, MetricsScrape after, string name, Func<MetricSample, bool>? where = null)
    {
        var matching = after.Samples.Where(s => s.Name == name && (where?.Invoke(s) ?? true)).ToList();
        if (matching.Count == 0)
        {
            return null;
        }
        var start = before.Samples.Where(s => s.Name == name && (where?.Invoke(s) ?? true)).Sum(s => s.Value);
        return matching.Sum(s => s.Value) - start;
    }
}
