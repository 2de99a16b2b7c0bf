using Tips.TestSupport.Telemetry;

namespace Tips.Bench.Monitoring;

/// <summary>
/// Reads a service's Prometheus <c>/metrics</c> (on its management port, <c>Metrics__Port</c>). A build without it
/// just has no numbers from here: every read may answer null.
/// </summary>
internal sealed class MetricsProbe(Uri url) : IDisposable
{
    /// <summary>The runtime's GC heap after the last collection (System.Runtime meter, .NET 9+).</summary>
    private const string GcHeap = "dotnet_gc_last_collection_heap_size_bytes";

    /// <summary>Time the runtime spent compiling methods (System.Runtime meter).</summary>
    private const string JitTime = "dotnet_jit_compilation_time_seconds_total";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    public Uri Url => url;

    public async Task<MetricsScrape?> ScrapeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode ? MetricsScrape.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException or IndexOutOfRangeException or ArgumentException)
        {
            return null;
        }
    }

    public static long? GcHeapBytes(MetricsScrape? scrape) =>
        scrape is not null && scrape.Samples.Any(s => s.Name == GcHeap) ? (long)scrape.Sum(GcHeap) : null;

    /// <summary>Milliseconds the service spent compiling between two scrapes; null when either has no number.</summary>
    public static double? JitMsBetween(MetricsScrape? before, MetricsScrape? after) =>
        before is not null && after is not null && after.Samples.Any(s => s.Name == JitTime)
            ? (after.Sum(JitTime) - before.Sum(JitTime)) * 1000
            : null;

    /// <summary>
    /// How much each of the service's own counters (<c>tips_…_total</c>, by labels) grew between two scrapes: where
    /// the requests of a window went (cache hits, Todoist fetches, LLM waits…).
    /// </summary>
    public static IReadOnlyDictionary<string, double> CounterGrowth(MetricsScrape? before, MetricsScrape? after)
    {
        if (before is null || after is null)
        {
            return new Dictionary<string, double>();
        }
        var start = before.Samples.Where(IsOwnCounter).GroupBy(Key).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        return after.Samples.Where(IsOwnCounter)
            .GroupBy(Key)
            .Select(g => (g.Key, Growth: g.Sum(s => s.Value) - start.GetValueOrDefault(g.Key)))
            .Where(g => g.Growth > 0)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Growth);
    }

    private static bool IsOwnCounter(MetricSample sample) =>
        sample.Name.StartsWith("tips_", StringComparison.Ordinal) && sample.Name.EndsWith("_total", StringComparison.Ordinal);

    private static string Key(MetricSample sample)
    {
        var labels = sample.Labels.Where(l => l.Key is not ("otel_scope_name" or "otel_scope_version" or "job" or "instance"))
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"{l.Key}={l.Value}");
        return $"{sample.Name}{{{string.Join(',', labels)}}}";
    }

    public void Dispose() => _http.Dispose();
}
