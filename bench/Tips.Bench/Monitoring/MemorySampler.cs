using System.Diagnostics;
using Tips.Bench.Stack;

namespace Tips.Bench.Monitoring;

/// <summary>One reading of one service: resident memory, and its GC heap when its metrics answer.</summary>
internal sealed record MemorySample(double Seconds, long? RssBytes, long? GcHeapBytes);

/// <summary>Samples each service's memory every interval until stopped.</summary>
internal sealed class MemorySampler(IReadOnlyList<(ServiceProcess Service, MetricsProbe Metrics)> services, TimeSpan every)
{
    private readonly Dictionary<string, List<MemorySample>> _samples = services.ToDictionary(s => s.Service.Name, _ => new List<MemorySample>());

    public IReadOnlyDictionary<string, IReadOnlyList<MemorySample>> Samples =>
        _samples.ToDictionary(s => s.Key, s => (IReadOnlyList<MemorySample>)[.. s.Value]);

    public async Task RunAsync(CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(every);
        do
        {
            foreach (var (service, metrics) in services)
            {
                var scrape = await metrics.ScrapeAsync(CancellationToken.None);
                _samples[service.Name].Add(new MemorySample(clock.Elapsed.TotalSeconds, ProcessMemory.RssBytes(service.Pid), MetricsProbe.GcHeapBytes(scrape)));
            }
        }
        while (await Tick(timer, stop));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
