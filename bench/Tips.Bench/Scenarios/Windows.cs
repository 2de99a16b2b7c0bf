using System.Diagnostics;
using Tips.Bench.Load;
using Tips.Bench.Monitoring;
using Tips.TestSupport.Telemetry;

namespace Tips.Bench.Scenarios;

/// <summary>A fixed-rate window's result, with its measured traffic and how many tips the warm-up before it served.</summary>
internal sealed record FixedRateRun(WindowResult Result, TipsTraffic Measured, long WarmupTipsServed);

/// <summary>How the unmeasured traffic before the warm windows went.</summary>
/// <param name="Seconds">How long it ran.</param>
/// <param name="LastRoundJitMs">Tips.Api's compile time in its last round; null when its metrics had no number.</param>
/// <param name="Settled">Whether the JIT settled before the limit.</param>
internal sealed record TierUpResult(double Seconds, double? LastRoundJitMs, bool Settled);

/// <summary>Runs measured windows of <c>GET /tips</c> traffic, open-loop (fixed rate) or closed-loop (saturation).</summary>
internal static class Windows
{
    /// <summary>
    /// The most requests a fixed-rate window keeps open. Past it (the system is far behind), a due request is counted
    /// as not sent instead of opening yet another connection: the machine's file descriptors stay within limits.
    /// </summary>
    public const int MaxInFlight = 4000;

    private static readonly TimeSpan SettleWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan QuickAnswer = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Waits until Tips.Api has no request left in progress (when its metrics say so) and answers its readiness probe
    /// quickly three times in a row, so that one window's backlog does not spill into the next one's numbers.
    /// </summary>
    public static async Task SettleAsync(BenchContext context)
    {
        var clock = Stopwatch.StartNew();
        var quick = 0;
        while (clock.Elapsed < SettleWithin)
        {
            var sent = Stopwatch.GetTimestamp();
            var answer = await context.Client.GetAsync("/health/ready", context.CancellationToken);
            quick = answer.IsSuccess && Stopwatch.GetElapsedTime(sent) < QuickAnswer ? quick + 1 : 0;
            if (quick >= 3 && await ActiveRequestsAsync(context) is null or <= 1)
            {
                return;
            }
            await Task.Delay(250, context.CancellationToken);
        }
        Progress.Say($"Tips.Api did not settle within {SettleWithin.TotalSeconds:0} s (still busy or slow to answer); measuring anyway");
    }

    private static async Task<double?> ActiveRequestsAsync(BenchContext context)
    {
        var scrape = await context.ApiMetrics.ScrapeAsync(context.CancellationToken);
        return scrape is not null && scrape.Samples.Any(s => s.Name == "http_server_active_requests")
            ? scrape.Sum("http_server_active_requests")
            : null;
    }

    private static readonly TimeSpan TierUpRound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Drives unmeasured traffic at <paramref name="rate"/> in rounds of 10 s until Tips.Api's JIT has settled (a round
    /// in which it compiled for under 2 % of the round), or <paramref name="limit"/> has passed. A fresh process
    /// compiles its hot methods again at higher tiers for a minute or more under load; a window measured then measures
    /// the compiler as much as the service, not the steady state a long-running replica serves in.
    /// </summary>
    public static async Task<TierUpResult> TierUpAsync(BenchContext context, UserCursor users, double rate, TimeSpan limit)
    {
        var settledBelowMs = 0.02 * TierUpRound.TotalMilliseconds;
        var clock = Stopwatch.StartNew();
        double? jitMs = null;
        while (clock.Elapsed < limit)
        {
            var before = await context.ApiMetrics.ScrapeAsync(context.CancellationToken);
            var traffic = new TipsTraffic(users, context.Options.FeedbackShare, keepServedIds: false);
            await OpenLoop.RunAsync(rate, TierUpRound, due => traffic.SendAsync(context.Client, due, context.CancellationToken).AsTask(), _ => traffic.NotSent(),
                MaxInFlight, Stopwatch.GetTimestamp(), context.CancellationToken);
            var after = await context.ApiMetrics.ScrapeAsync(context.CancellationToken);
            context.Stack.EnsureServicesRunning();
            jitMs = MetricsProbe.JitMsBetween(before, after);
            Progress.Say($"tier-up: {clock.Elapsed.TotalSeconds:0} s, Tips.Api compiled for {(jitMs is { } ms ? $"{ms:0} ms" : "an unknown time")} in the last {TierUpRound.TotalSeconds:0} s");
            if (jitMs is null || jitMs < settledBelowMs)
            {
                return new TierUpResult(clock.Elapsed.TotalSeconds, jitMs, jitMs is not null);
            }
        }
        return new TierUpResult(clock.Elapsed.TotalSeconds, jitMs, false);
    }

    /// <summary>
    /// One schedule at <paramref name="rate"/>: <paramref name="warmup"/> of unmeasured requests (caches, pools, JIT
    /// and tiered compilation settle), then the measured <paramref name="duration"/>, without a gap, so the window
    /// starts in steady state. Latencies are those of requests due in the window; throughput counts the answers that
    /// arrive in it (of warm-up and window requests alike).
    /// </summary>
    public static async Task<FixedRateRun> FixedRateAsync(BenchContext context, string name, UserCursor users, double rate,
        TimeSpan warmup, TimeSpan duration, bool keepServedIds = false)
    {
        await SettleAsync(context);
        // Taken while the system is still idle: an overloaded service may not answer its metrics in time later, so
        // the counters and costs cover the warm-up and the window (the same rate, the same kind of requests).
        var before = await Snapshot.TakeAsync(context);
        var start = Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromMilliseconds(20));
        var measureStart = start + Ticks(warmup);
        var completions = new CompletionWindow(measureStart, measureStart + Ticks(duration));
        var warming = new TipsTraffic(users, context.Options.FeedbackShare, keepServedIds: false, completions);
        var measured = new TipsTraffic(users, context.Options.FeedbackShare, keepServedIds, completions);

        var run = await OpenLoop.RunAsync(rate, warmup + duration,
            due => (due < measureStart ? warming : measured).SendAsync(context.Client, due, context.CancellationToken).AsTask(),
            due => (due < measureStart ? warming : measured).NotSent(),
            MaxInFlight, start, context.CancellationToken);
        var after = await Snapshot.TakeAsync(context);
        context.Stack.EnsureServicesRunning();

        var result = Result(name, "fixed-rate", rate, null, measured, duration, completions, run.MaxSchedulerLag.TotalMilliseconds, before, after);
        return new FixedRateRun(result, measured, warming.TipsServed);
    }

    public static async Task<WindowResult> SaturationAsync(BenchContext context, string name, UserCursor users, int clients, TimeSpan duration)
    {
        await SettleAsync(context);
        var traffic = new TipsTraffic(users, context.Options.FeedbackShare, keepServedIds: false);
        var before = await Snapshot.TakeAsync(context);
        var elapsed = await ClosedLoop.RunAsync(context.Client.BaseAddress, context.Options.RequestTimeout, clients, duration,
            (connection, sent) => traffic.SendAsync(connection, sent, context.CancellationToken), context.CancellationToken);
        var after = await Snapshot.TakeAsync(context);
        context.Stack.EnsureServicesRunning();
        return Result(name, "saturation", null, clients, traffic, elapsed, null, null, before, after);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static WindowResult Result(string name, string mode, double? rate, int? clients, TipsTraffic traffic, TimeSpan window,
        CompletionWindow? completions, double? lagMs, Snapshot before, Snapshot after) => new(
        name, mode, rate, clients,
        traffic.Tips.Summarize(window, completions), traffic.Feedback.Summarize(window), traffic.TipsServed, lagMs,
        after.GatewayCalls - before.GatewayCalls, after.TodoistCalls - before.TodoistCalls,
        MetricsProbe.CounterGrowth(before.Api, after.Api),
        ServiceCost.Between(before.Api, after.Api, before.Serving, after.Serving, Stopwatch.GetElapsedTime(before.Taken, after.Taken)),
        before.Context.Cpu.Between(before.Cpu, after.Cpu),
        (after.GcPause - before.GcPause).TotalMilliseconds);

    private sealed record Snapshot(BenchContext Context, long Taken, long GatewayCalls, long TodoistCalls, MetricsScrape? Api,
        MetricsScrape? Serving, CpuAccounting.Snapshot? Cpu, TimeSpan GcPause)
    {
        public static async Task<Snapshot> TakeAsync(BenchContext context)
        {
            var cpu = context.Cpu.Take();
            var taken = Stopwatch.GetTimestamp();
            var gateway = context.Stack.Gateway.RequestCount;
            var todoist = context.Stack.Todoist.RequestCount;
            var api = context.ApiMetrics.ScrapeAsync(context.CancellationToken);
            var serving = context.ServingMetrics.ScrapeAsync(context.CancellationToken);
            return new Snapshot(context, taken, gateway, todoist, await api, await serving, cpu, GC.GetTotalPauseDuration());
        }
    }
}
