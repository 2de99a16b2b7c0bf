using System.Globalization;
using System.Text;
using Tips.Bench.Load;
using Tips.Bench.Scenarios;

namespace Tips.Bench.Reporting;

/// <summary>The short human summary of a run: goals, one table per kind of traffic, the baselines as ratios, memory.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchReport report)
    {
        var md = new StringBuilder();
        var services = report.Services;
        var postgres = report.Postgres;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Tips load benchmark, {report.StartedAt}{(report.Settings.Quick ? " (quick)" : "")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Build: `{services.Commit}` ({services.Root})");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {report.Machine.Cores} cores ({report.Machine.Cpu}), {F(report.Machine.MemoryGb, "0.#")} GB, {report.Machine.Runtime}, load average at start {report.Machine.LoadAverageAtStart}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Postgres {postgres.Version} ({postgres.Source}; fsync={postgres.Fsync}, synchronous_commit={postgres.SynchronousCommit}, shared_buffers={postgres.SharedBuffers}), Tips.Api, Tips.Serving, the fakes and the load generator all on this machine");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Rate limits raised for the bench (it measures the system, not the limiter): RateLimits__TipsPerMinute and RateLimits__FeedbackPerMinute = {Stack.ServiceSettings.UnlimitedPerMinute}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Extra settings: {Settings(services.ApiOverrides, "api")}; {Settings(services.ServingOverrides, "serving")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Users: {report.Settings.Users} warm; feedback on {F(report.Settings.FeedbackShare * 100)} % of served tips; {report.Settings.Clients} clients for saturation and baselines; run took {F(report.RunSeconds)} s");
        md.AppendLine();

        md.AppendLine("## Goals (reported, never enforced)");
        md.AppendLine();
        md.AppendLine("| goal | target | measured | met |");
        md.AppendLine("|---|---|---|---|");
        foreach (var goal in report.Goals)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {goal.Name} | {goal.Target} | {goal.Measured} | {goal.Met switch { true => "yes", false => "**no**", null => "n/a" }} |");
        }
        md.AppendLine();

        var windows = Windows(report).ToList();
        md.AppendLine("## GET /tips");
        md.AppendLine();
        md.AppendLine("Latency from each request's intended start (fixed rate) or send (saturation), in ms.");
        md.AppendLine();
        md.AppendLine("| window | load | answered/s | 2xx/s | p50 | p95 | p99 | max | errors | 5xx | timeouts |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var window in windows)
        {
            md.AppendLine(Row(window.Name, Load(window), window.Tips));
        }
        md.AppendLine();

        md.AppendLine("## POST /tips/{id}/feedback");
        md.AppendLine();
        md.AppendLine("| window | posts | answered/s | 2xx/s | p50 | p95 | p99 | max | errors | 5xx | timeouts |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var window in windows.Where(w => w.Feedback.Requests > 0))
        {
            md.AppendLine(Row(window.Name, window.Feedback.Requests.ToString(CultureInfo.InvariantCulture), window.Feedback));
        }
        md.AppendLine();

        if (report.Warm is { } warm)
        {
            var saturation = warm.Saturation.Tips.SuccessThroughput;
            md.AppendLine(CultureInfo.InvariantCulture, $"## Baselines (same run, {report.Settings.Clients} clients)");
            md.AppendLine();
            md.AppendLine("| baseline | throughput | latency | warm GET /tips saturation as a share |");
            md.AppendLine("|---|---|---|---|");
            if (warm.Baselines.Health is { } health)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| GET /health/live (web stack ceiling) | {F(health.SuccessThroughput)} req/s | p50 {F(health.P50Ms, "0.0")} ms, p99 {F(health.P99Ms, "0.0")} ms | {Ratio(saturation, health.SuccessThroughput)} |");
            }
            foreach (var (when, pgbench) in new[] { ("before", warm.Baselines.PgbenchBefore), ("after", warm.Baselines.PgbenchAfter) })
            {
                if (pgbench is null)
                {
                    continue;
                }
                md.AppendLine(pgbench.Ran
                    ? string.Create(CultureInfo.InvariantCulture, $"| pgbench {when} the window, 1 single-row INSERT per transaction | {F(pgbench.Tps)} tps | average {F(pgbench.LatencyAverageMs, "0.00")} ms | {Ratio(saturation, pgbench.Tps)} |")
                    : $"| pgbench {when} the window | not run | {pgbench.Note} | |");
            }
            if (warm.Baselines.PgbenchTps is { } pgbenchTps)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| pgbench, mean of both (logging ceiling; the goal's baseline) | {F(pgbenchTps)} tps | | {Ratio(saturation, pgbenchTps)} |");
            }
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Logging check (warm fixed rate): {warm.Logging.ServedIdsLogged} of {warm.Logging.TipsServed} served tips found in tip_scores; {warm.Logging.RowsWritten} rows written for {warm.Logging.TipsServedWithWarmup} tips served with its warm-up{(warm.Logging.Error is { } error ? $" ({error})" : "")}. Priming {warm.Users} users took {F(warm.PrimeSeconds)} s.{TierUpSentence(warm.TierUp)}");
            md.AppendLine();
        }

        if (report.Soak is { } soak)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Memory over the soak ({F(soak.Window.Tips.WindowSeconds)} s at {F(soak.Window.OfferedRate ?? 0)} req/s)");
            md.AppendLine();
            md.AppendLine("| service | samples | RSS start → end (max), MB | RSS slope, MB/min | GC heap start → end, MB | flat |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var trend in soak.Memory)
            {
                var heap = trend.StartGcHeapMb is { } start && trend.EndGcHeapMb is { } end ? $"{F(start, "0.0")} → {F(end, "0.0")}" : "n/a";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {trend.Service} | {trend.Samples} | {F(trend.StartRssMb)} → {F(trend.EndRssMb)} ({F(trend.MaxRssMb)}) | {F(trend.RssSlopeMbPerMinute, "+0.0;-0.0")} | {heap} | {(trend.Flat ? "yes" : "no")} |");
            }
            md.AppendLine();
        }

        if (windows.Any(w => w.ApiCost is not null))
        {
            md.AppendLine("## Where the time went (growth of the services' own metrics over each window, with its warm-up)");
            md.AppendLine();
            md.AppendLine("Per GET /tips: Tips.Api's time in the server, its CPU and allocations (all its work in the window, divided by its GET /tips), " +
                "its database round trips and their summed time. API and Serving CPU % are of one core; machine, others and steal % are of all cores " +
                "(others: processes that are not this run's, e.g. other work on a shared machine; steal: time the hypervisor gave to other machines).");
            md.AppendLine();
            md.AppendLine("| window | server ms | API CPU ms/req | API CPU % | alloc KB/req | DB ops/req | DB ms/req | GC pause ms | JIT ms | Serving CPU % | machine busy % | others % | steal % | bench GC pause ms | gateway calls | Todoist calls |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var window in windows.Where(w => w.ApiCost is not null))
            {
                var c = window.ApiCost!;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {window.Name} | {N(c.ServerMeanMs, "0.0")} | {N(c.CpuMsPerRequest, "0.0")} | {N(c.CpuPercent, "0")} | {N(c.AllocatedKbPerRequest, "0")} | {N(c.DbOperationsPerRequest, "0.0")} | {N(c.DbMsPerRequest, "0.0")} | {N(c.GcPauseMs, "0")} | {N(c.JitMs, "0")} | {N(c.ServingCpuPercent, "0")} | {N(window.Cpu?.MachineBusyPercent, "0")} | {N(window.Cpu?.OthersPercent, "0")} | {N(window.Cpu?.StealPercent, "0")} | {F(window.BenchGcPauseMs)} | {window.GatewayCalls} | {window.TodoistCalls} |");
            }
            md.AppendLine();
            // Saturation only: there the parts add up to the machine's busy time. In the mostly idle fixed-rate windows the
            // machine's busy share from /proc/stat reads below the parts' own sum here, so neither is a per-request price.
            md.AppendLine("CPU by part at saturation, in ms of the machine per GET /tips answered 2xx (from /proc, all the part's work " +
                "in the window, feedback posts and the writers included; bench is the load generator and the fakes):");
            md.AppendLine();
            md.AppendLine("| window | Tips.Api | Postgres | Tips.Serving | bench | machine busy |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var window in windows.Where(w => w.Cpu is not null && w.Mode == "saturation"))
            {
                var cpu = window.Cpu!;
                string Ms(double percent) => N(Monitoring.CpuShare.MsPerRequest(percent, report.Machine.Cores, window.Tips.SuccessThroughput), "0.000");
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {window.Name} | {Ms(cpu.ApiPercent)} | {Ms(cpu.PostgresPercent)} | {Ms(cpu.ServingPercent)} | {Ms(cpu.BenchPercent)} | {Ms(cpu.MachineBusyPercent)} |");
            }
            md.AppendLine();
            foreach (var window in windows.Where(w => w.ApiCounters.Count > 0))
            {
                var counters = window.ApiCounters
                    .Where(c => c.Key.StartsWith("tips_context_", StringComparison.Ordinal) || c.Key.StartsWith("tips_llm_", StringComparison.Ordinal))
                    .Select(c => $"{Short(c.Key)} {F(c.Value)}");
                md.AppendLine(CultureInfo.InvariantCulture, $"- {window.Name}: {string.Join(", ", counters)}");
            }
            md.AppendLine();
        }

        if (report.Notes.Count > 0)
        {
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var note in report.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }
        return md.ToString();
    }

    public static IEnumerable<WindowResult> Windows(BenchReport report)
    {
        if (report.Warm is { } warm)
        {
            yield return warm.FixedRate;
            yield return warm.Saturation;
        }
        if (report.Soak is { } soak)
        {
            yield return soak.Window;
        }
        foreach (var degraded in report.Degraded)
        {
            yield return degraded.Window;
        }
    }

    private static string Row(string name, string load, LatencyStats s) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {load} | {F(s.Throughput)} | {F(s.SuccessThroughput)} | {F(s.P50Ms, "0.0")} | {F(s.P95Ms, "0.0")} | {F(s.P99Ms, "0.0")} | {F(s.MaxMs, "0.0")} | {s.Errors} | {s.ServerErrors} | {s.Timeouts} |");

    private static string Load(WindowResult window) => window.OfferedRate is { } rate
        ? $"{F(rate, "0.#")}/s for {F(window.Tips.WindowSeconds)} s"
        : $"{window.Clients} clients for {F(window.Tips.WindowSeconds)} s";

    private static string Ratio(double value, double baseline) => baseline > 0 ? F(value / baseline, "0.00") + " ×" : "n/a";

    private static string Settings(IReadOnlyDictionary<string, string> overrides, string service) =>
        overrides.Count == 0 ? $"none on {service}" : $"{service}: " + string.Join(", ", overrides.Select(o => $"`{o.Key}={o.Value}`"));

    /// <summary><c>tips_context_assemblies_total{tips_tasks_origin=cached}</c> → <c>context_assemblies{cached}</c>.</summary>
    private static string Short(string key)
    {
        var brace = key.IndexOf('{', StringComparison.Ordinal);
        var name = key[..brace].Replace("tips_", "", StringComparison.Ordinal).Replace("_total", "", StringComparison.Ordinal);
        var labels = key[(brace + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)[^1]);
        return $"{name}{{{string.Join(',', labels)}}}";
    }

    private static string N(double? value, string format) => value is { } v ? F(v, format) : "n/a";

    private static string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string TierUpSentence(TierUpResult? tierUp) => tierUp switch
    {
        null => " No unmeasured traffic waited for Tips.Api's JIT to settle (--tier-up 0).",
        { Settled: true } => $" Before the warm windows, {F(tierUp.Seconds)} s of unmeasured traffic at the fixed rate until Tips.Api's JIT settled ({F(tierUp.LastRoundJitMs ?? 0)} ms of compiling in the last 10 s).",
        _ => $" Tips.Api's JIT had not settled after {F(tierUp.Seconds)} s of unmeasured traffic ({(tierUp.LastRoundJitMs is { } ms ? $"{F(ms)} ms" : "an unknown time")} of compiling in the last 10 s): the warm windows include compiling.",
    };
}
