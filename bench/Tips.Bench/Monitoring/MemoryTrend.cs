namespace Tips.Bench.Monitoring;

/// <summary>
/// A service's memory over the soak: first and last reading, and the least-squares slope over the readings after the
/// first fifth (start-up growth of the heap is not a leak). Flat: the slope would add less than
/// max(16 MB, 5 % of the mean) over five minutes.
/// </summary>
internal sealed record MemoryTrend(
    string Service,
    int Samples,
    double StartRssMb,
    double EndRssMb,
    double MaxRssMb,
    double RssSlopeMbPerMinute,
    double? StartGcHeapMb,
    double? EndGcHeapMb,
    double? GcHeapSlopeMbPerMinute,
    bool Flat)
{
    private const double Mb = 1024 * 1024;

    public static MemoryTrend Of(string service, IReadOnlyList<MemorySample> samples)
    {
        var rss = samples.Where(s => s.RssBytes is not null).Select(s => (s.Seconds, Mb: s.RssBytes!.Value / Mb)).ToList();
        var heap = samples.Where(s => s.GcHeapBytes is not null).Select(s => (s.Seconds, Mb: s.GcHeapBytes!.Value / Mb)).ToList();
        if (rss.Count == 0)
        {
            return new MemoryTrend(service, 0, 0, 0, 0, 0, null, null, null, false);
        }

        var rssSlope = SlopePerMinute(Steady(rss));
        double? heapSlope = heap.Count >= 2 ? SlopePerMinute(Steady(heap)) : null;
        var mean = rss.Average(r => r.Mb);
        var flat = rss.Count >= 3 && rssSlope * 5 < Math.Max(16, 0.05 * mean);
        return new MemoryTrend(service, rss.Count, rss[0].Mb, rss[^1].Mb, rss.Max(r => r.Mb), rssSlope,
            heap.Count > 0 ? heap[0].Mb : null, heap.Count > 0 ? heap[^1].Mb : null, heapSlope, flat);
    }

    private static List<(double Seconds, double Mb)> Steady(List<(double Seconds, double Mb)> points) =>
        points.Count >= 5 ? points.Skip(points.Count / 5).ToList() : points;

    private static double SlopePerMinute(List<(double Seconds, double Mb)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }
        var meanX = points.Average(p => p.Seconds);
        var meanY = points.Average(p => p.Mb);
        var covariance = points.Sum(p => (p.Seconds - meanX) * (p.Mb - meanY));
        var variance = points.Sum(p => (p.Seconds - meanX) * (p.Seconds - meanX));
        return variance == 0 ? 0 : covariance / variance * 60;
    }
}
