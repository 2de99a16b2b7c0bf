using Tips.Bench.Load;
using Tips.Bench.Monitoring;
using Tips.Bench.Seeding;

namespace Tips.Bench.Scenarios;

internal sealed record SoakResult(WindowResult Window, IReadOnlyList<MemoryTrend> Memory,
    IReadOnlyDictionary<string, IReadOnlyList<MemorySample>> Samples);

/// <summary>The warm fixed rate held for the soak's length, each service's RSS and GC heap sampled throughout.</summary>
internal static class SoakScenario
{
    public static async Task<SoakResult> RunAsync(BenchContext context, UserPool pool)
    {
        var options = context.Options;
        var users = new UserCursor(pool, eachOnce: false);
        var rate = options.SoakRate ?? options.Rate;
        Progress.Step($"soak: {rate:0} req/s for {options.Soak.TotalSeconds:0} s, memory sampled every {options.SampleEvery.TotalSeconds:0} s");

        await WarmScenario.RefreshAsync(context, pool);
        var sampler = new MemorySampler(
            [(context.Stack.Api, context.ApiMetrics), (context.Stack.Serving, context.ServingMetrics)],
            options.SampleEvery);
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler.RunAsync(stopSampling.Token);
        WindowResult window;
        try
        {
            // No warm-up of its own: it follows the warm scenario's users, and the trend skips its first fifth.
            window = (await Windows.FixedRateAsync(context, "soak", users, rate, TimeSpan.Zero, options.Soak)).Result;
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampling;
        }

        var samples = sampler.Samples;
        var trends = samples.Select(s => MemoryTrend.Of(s.Key, s.Value)).ToList();
        Progress.Say(WarmScenario.Summary(window));
        foreach (var trend in trends)
        {
            Progress.Say($"{trend.Service}: RSS {trend.StartRssMb:0} → {trend.EndRssMb:0} MB, slope {trend.RssSlopeMbPerMinute:+0.0;-0.0} MB/min ({(trend.Flat ? "flat" : "growing")})");
        }
        return new SoakResult(window, trends, samples);
    }
}
