using System.Globalization;
using Tips.Bench.Scenarios;

namespace Tips.Bench.Reporting;

/// <summary>
/// The issue's goals, held against what the run measured. Reported, never enforced: a missed goal does not change the
/// exit code.
/// </summary>
internal static class GoalBook
{
    public const double WarmP95Ms = 15;
    public const double WarmRequestsPerSecond = 800;
    public const double ShareOfPgbench = 0.5;

    public static IReadOnlyList<Goal> Evaluate(WarmResult? warm, SoakResult? soak, IReadOnlyList<DegradedResult> degraded)
    {
        var goals = new List<Goal>();
        if (warm is not null)
        {
            var fixedRate = warm.FixedRate;
            goals.Add(new Goal(
                $"warm GET /tips p95 at {F(fixedRate.OfferedRate ?? 0)} req/s",
                $"≤ {F(WarmP95Ms)} ms",
                $"{F(fixedRate.Tips.P95Ms, "0.0")} ms",
                fixedRate.Tips.P95Ms <= WarmP95Ms && fixedRate.Tips.Answered > 0));

            var saturation = warm.Saturation;
            goals.Add(new Goal(
                $"warm GET /tips throughput (saturation, {saturation.Clients} clients, 2xx only)",
                $"≥ {F(WarmRequestsPerSecond)} req/s",
                $"{F(saturation.Tips.SuccessThroughput)} req/s (fixed-rate window: {F(fixedRate.Tips.SuccessThroughput)} of {F(fixedRate.OfferedRate ?? 0)} req/s, {fixedRate.Tips.Errors} errors)",
                saturation.Tips.SuccessThroughput >= WarmRequestsPerSecond));

            var logging = warm.Logging;
            goals.Add(new Goal(
                "every served tip logged (warm fixed rate)",
                "all served ids in tip_scores",
                logging.Error ?? (logging.TipsServed == 0 ? "no tip served in the window" : $"{logging.ServedIdsLogged} of {logging.TipsServed}"),
                logging.Error is null && logging.TipsServed > 0 ? logging.AllLogged : null));

            var baselines = warm.Baselines;
            goals.Add(new Goal(
                "warm saturation vs pgbench single-row INSERT (same clients, same Postgres; mean of the runs before and after the window)",
                $"≥ {F(ShareOfPgbench, "0.0#")} ×",
                baselines.PgbenchTps is { } tps
                    ? $"{F(saturation.Tips.SuccessThroughput / tps, "0.00")} × ({F(saturation.Tips.SuccessThroughput)} / {F(tps)} tps)"
                    : baselines.PgbenchNote ?? "not run",
                baselines.PgbenchTps is { } mean ? saturation.Tips.SuccessThroughput / mean >= ShareOfPgbench : null));
        }

        if (degraded.FirstOrDefault(d => d.Scenario == "gateway-hanging") is { } hanging)
        {
            goals.Add(new Goal(
                "gateway hanging: GET /tips p99",
                $"≤ {F(hanging.LimitMs)} ms ({hanging.Limit})",
                $"{F(hanging.Window.Tips.P99Ms)} ms (max {F(hanging.Window.Tips.MaxMs)} ms, timeouts {hanging.Window.Tips.Timeouts})",
                hanging.WithinLimit));
            goals.Add(new Goal(
                "gateway hanging: 5xx",
                "0",
                hanging.Window.Tips.ServerErrors.ToString(CultureInfo.InvariantCulture),
                hanging.Window.Tips.ServerErrors == 0 && hanging.Window.Tips.Answered > 0));
        }

        if (soak is not null)
        {
            var offered = soak.Window.OfferedRate ?? 0;
            var overloaded = soak.Window.Tips.SuccessThroughput < 0.95 * offered
                ? $"; overloaded ({F(soak.Window.Tips.SuccessThroughput)} of {F(offered)} req/s answered 2xx), so it includes queued requests"
                : "";
            foreach (var trend in soak.Memory)
            {
                goals.Add(new Goal(
                    $"{trend.Service} memory flat over the soak ({F(soak.Window.Tips.WindowSeconds)} s)",
                    "slope × 5 min < max(16 MB, 5 % of mean RSS)",
                    $"RSS {F(trend.StartRssMb)} → {F(trend.EndRssMb)} MB, {F(trend.RssSlopeMbPerMinute, "+0.0;-0.0")} MB/min{overloaded}",
                    trend.Samples >= 3 ? trend.Flat : null));
            }
        }
        return goals;
    }

    private static string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);
}
