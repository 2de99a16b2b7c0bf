using Npgsql;
using Tips.Bench.Baselines;
using Tips.Bench.Load;
using Tips.Bench.Seeding;

namespace Tips.Bench.Scenarios;

/// <summary>Every tip served in the measured window, checked against <c>tip_scores</c>.</summary>
/// <param name="TipsServed">Tips in the window's 2xx answers.</param>
/// <param name="ServedIdsLogged">How many of their ids have a tip_scores row.</param>
/// <param name="TipsServedWithWarmup">Tips served by the warm-up and the window together.</param>
/// <param name="RowsWritten">tip_scores rows added over the warm-up and the window (no other traffic ran meanwhile); more
/// than served when requests the client gave up on were still served and logged.</param>
internal sealed record LoggingCheck(long TipsServed, long ServedIdsLogged, long TipsServedWithWarmup, long RowsWritten, bool AllLogged, string? Error);

/// <summary>
/// The warm scenario's baselines. pgbench runs on both sides of the saturation window and the goal divides by the mean
/// of the two: this host's pgbench speed drifts by tens of percent within an hour, so one run minutes after the window
/// may measure another machine than the window had.
/// </summary>
internal sealed record Baselines(LatencyStats? Health, PgbenchResult? PgbenchBefore, PgbenchResult? PgbenchAfter)
{
    /// <summary>The mean tps of the pgbench runs that ran; null when none did.</summary>
    public double? PgbenchTps => Ran.Any() ? Ran.Average(r => r.Tps) : null;

    /// <summary>Why pgbench did not run, when neither run did.</summary>
    public string? PgbenchNote => PgbenchTps is null ? (PgbenchAfter ?? PgbenchBefore)?.Note : null;

    private IEnumerable<PgbenchResult> Ran => new[] { PgbenchBefore, PgbenchAfter }.OfType<PgbenchResult>().Where(r => r is { Ran: true, Tps: > 0 });
}

/// <param name="TierUp">The unmeasured traffic until the JIT settled; null when the run asked for none.</param>
internal sealed record WarmResult(int Users, double PrimeSeconds, TierUpResult? TierUp, WindowResult FixedRate, LoggingCheck Logging,
    WindowResult Saturation, Baselines Baselines);

/// <summary>
/// Warm: every user primed once (task snapshot and LLM candidates cached), a warm-up, the fixed rate (with the
/// logging check), pgbench, saturation with C clients, then both baselines with the same C on the same machine.
/// </summary>
internal static class WarmScenario
{
    public static async Task<WarmResult> RunAsync(BenchContext context, UserPool pool, double primeSeconds)
    {
        var options = context.Options;
        var users = new UserCursor(pool, eachOnce: false);

        TierUpResult? tierUp = null;
        if (options.TierUp > TimeSpan.Zero)
        {
            Progress.Step($"warm: {options.Rate:0} req/s unmeasured until Tips.Api's JIT settles (at most {options.TierUp.TotalSeconds:0} s)");
            await Windows.SettleAsync(context);
            tierUp = await Windows.TierUpAsync(context, users, options.Rate, options.TierUp);
            // That traffic may have outlasted the task snapshots' TTL.
            await RefreshAsync(context, pool);
        }

        Progress.Step($"warm: fixed rate {options.Rate:0} req/s, {options.Warmup.TotalSeconds:0} s warm-up then {options.Duration.TotalSeconds:0} s measured");
        await Windows.SettleAsync(context);
        var rowsBefore = await TryCountAsync(context);
        var run = await Windows.FixedRateAsync(context, "warm fixed rate", users, options.Rate, options.Warmup, options.Duration, keepServedIds: true);
        var fixedRate = run.Result;
        var logging = await CheckLoggingAsync(context, run, rowsBefore);
        Progress.Say(Summary(fixedRate));
        Progress.Say($"logging: {logging.ServedIdsLogged}/{logging.TipsServed} served tips of the window found in tip_scores; " +
            $"{logging.RowsWritten} rows written for {logging.TipsServedWithWarmup} tips served with the warm-up");

        // Before the window, in the time the task snapshots take to go stale for the refresh anyway.
        var pgbenchBefore = await PgbenchAsync(context, "before the saturation window");

        Progress.Step($"warm: saturation with {options.Clients} clients for {options.Saturation.TotalSeconds:0} s");
        await RefreshAsync(context, pool);
        var saturation = await Windows.SaturationAsync(context, "warm saturation", users, options.Clients, options.Saturation);
        Progress.Say(Summary(saturation));

        Progress.Step($"baseline: GET /health/live with {options.Clients} clients for {options.Saturation.TotalSeconds:0} s");
        await Windows.SettleAsync(context);
        var health = await HealthBaseline.RunAsync(context.Client.BaseAddress, options.RequestTimeout, options.Clients, options.Saturation, context.CancellationToken);
        Progress.Say($"{health.Throughput:0} req/s, p99 {health.P99Ms:0.0} ms");

        var pgbenchAfter = await PgbenchAsync(context, "after the saturation window");

        return new WarmResult(pool.Users.Count, primeSeconds, tierUp, fixedRate, logging, saturation,
            new Baselines(health, pgbenchBefore, pgbenchAfter));
    }

    private static async Task<PgbenchResult> PgbenchAsync(BenchContext context, string when)
    {
        var options = context.Options;
        Progress.Step($"baseline: pgbench {when}, one single-row INSERT per transaction, {options.Clients} clients for {options.Saturation.TotalSeconds:0} s");
        await Windows.SettleAsync(context);
        var pgbench = await PgbenchBaseline.RunAsync(context.Stack.Database, options.Clients, options.Saturation, context.WorkDirectory,
            context.CancellationToken);
        Progress.Say(pgbench.Ran ? $"{pgbench.Tps:0} tps, latency average {pgbench.LatencyAverageMs:0.00} ms" : pgbench.Note!);
        return pgbench;
    }

    /// <summary>
    /// Primes every user again, after the service settled: a window that came before (especially an overloaded one,
    /// which refreshes nothing) may have let the task snapshots go stale (Todoist__SnapshotTtl), and a warm window
    /// must find them fresh. It first waits until even the newest snapshot is stale, so that priming fetches every
    /// one again: snapshots fetched before, by traffic at different moments, would otherwise expire (and be
    /// fetched again all at once) in the middle of the window.
    /// </summary>
    public static async Task RefreshAsync(BenchContext context, UserPool pool)
    {
        await Windows.SettleAsync(context);
        if (await context.Stack.Database.NewestSnapshotAsync(context.CancellationToken) is { } newest)
        {
            var wait = newest + context.SnapshotTtl - TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(1);
            if (wait > TimeSpan.Zero)
            {
                Progress.Say($"waiting {wait.TotalSeconds:0} s until every task snapshot is stale, so that priming fetches them all again");
                await Task.Delay(wait, context.CancellationToken);
            }
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await UserSeeder.PrimeAsync(pool, context.Client, UserSeeder.PrimeParallelism, context.CancellationToken);
        Progress.Say($"re-primed {pool.Users.Count} users in {clock.Elapsed.TotalSeconds:0.0} s (snapshots fresh again)");
    }

    public static string Summary(WindowResult window) =>
        $"{window.Tips.Throughput:0} req/s, p50 {window.Tips.P50Ms:0.0} ms, p95 {window.Tips.P95Ms:0.0} ms, p99 {window.Tips.P99Ms:0.0} ms, " +
        $"max {window.Tips.MaxMs:0} ms, errors {window.Tips.Errors} (5xx {window.Tips.ServerErrors}, timeouts {window.Tips.Timeouts})";

    private static async Task<long?> TryCountAsync(BenchContext context)
    {
        try
        {
            return await context.Stack.Database.CountTipScoresAsync(context.CancellationToken);
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private static async Task<LoggingCheck> CheckLoggingAsync(BenchContext context, FixedRateRun run, long? rowsBefore)
    {
        var ids = run.Measured.ServedIds;
        var withWarmup = run.Measured.TipsServed + run.WarmupTipsServed;
        try
        {
            var logged = await context.Stack.Database.CountLoggedAsync(ids, context.CancellationToken);
            var rowsAfter = await context.Stack.Database.CountTipScoresAsync(context.CancellationToken);
            var written = rowsBefore is { } before ? rowsAfter - before : -1;
            return new LoggingCheck(ids.Count, logged, withWarmup, written, logged == ids.Count, null);
        }
        catch (NpgsqlException e)
        {
            return new LoggingCheck(ids.Count, 0, withWarmup, -1, false, $"could not read tip_scores: {e.Message}");
        }
    }
}
