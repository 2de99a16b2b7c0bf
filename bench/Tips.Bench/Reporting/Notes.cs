using System.Globalization;
using Tips.Bench.Scenarios;
using Tips.Bench.Stack;

namespace Tips.Bench.Reporting;

/// <summary>What a reader of the numbers should know about this run: its conditions and anything odd it saw.</summary>
internal static class Notes
{
    /// <summary>Above this, the load generator itself ran late enough to mention.</summary>
    private const double LagWorthMentioningMs = 20;

    public static IReadOnlyList<string> For(BenchReport report, BenchStack stack, BenchContext context)
    {
        var notes = new List<string>
        {
            "Latency of fixed-rate windows counts from each request's intended start time (open model, no coordinated omission); " +
            "saturation windows are closed loops and count from each send.",
            "The load generator, the fake gateway and the fake Todoist run in the bench process, on the same cores as both services and Postgres.",
        };
        if (report.Postgres.Fsync == "off" || report.Postgres.SynchronousCommit == "off")
        {
            notes.Add($"Postgres runs with fsync={report.Postgres.Fsync}, synchronous_commit={report.Postgres.SynchronousCommit} (the test cluster's settings): " +
                "commits are cheaper than on a durable server; pgbench ran on the same server, so the ratio still compares like with like.");
        }
        if (report.Warm is { } warm)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Warm users are primed (one GET /tips each) before the warm fixed rate, the saturation and the soak; their task snapshots stay fresh for " +
                $"Todoist__SnapshotTtl ({context.SnapshotTtl.TotalSeconds:0} s), so a long window still refetches some from the fake Todoist " +
                $"(warm fixed rate: {warm.FixedRate.TodoistCalls} Todoist calls, {warm.FixedRate.GatewayCalls} gateway calls; saturation: {warm.Saturation.TodoistCalls}, {warm.Saturation.GatewayCalls})."));
        }

        foreach (var window in MarkdownReport.Windows(report))
        {
            if (window.OfferedRate is { } offered && window.Tips.SuccessThroughput < 0.95 * offered)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{window.Name}: the system did not keep up with {offered:0.#} req/s (it answered {window.Tips.SuccessThroughput:0.#} req/s with 2xx); requests queued, so its latencies are mostly waiting time."));
            }
            if (window.Cpu is { OthersPercent: >= 10 } cpu)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{window.Name}: other processes on this machine used {cpu.OthersPercent:0}% of its CPU meanwhile (still running at its end: {(cpu.TopOthers.Count == 0 ? "none above 1%" : string.Join("; ", cpu.TopOthers))}): compare this window as ratios only."));
            }
            if (window.Cpu is { StealPercent: >= 5 } stolen)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{window.Name}: the hypervisor gave {stolen.StealPercent:0}% of this machine's CPU time to other machines meanwhile (steal): its results are lower than the same code gets on a quiet host."));
            }
            if (window.BenchGcPauseMs >= 0.01 * window.Tips.WindowSeconds * 1000)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{window.Name}: the bench process spent {window.BenchGcPauseMs:0} ms in GC pauses over the window; a latency that includes one is partly the generator's own."));
            }
            if (window.Tips.NotSent > 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{window.Name}: {window.Tips.NotSent} due requests were not sent because {Scenarios.Windows.MaxInFlight} were already open (counted as errors)."));
            }
            if (window.MaxSchedulerLagMs is > LagWorthMentioningMs and { } lag)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{window.Name}: the load generator started requests up to {lag:0} ms late (this process did not get the CPU in time); their latency still counts from the intended time."));
            }
            foreach (var (kind, stats) in new[] { ("GET /tips", window.Tips), ("feedback", window.Feedback) })
            {
                if (stats.ErrorSamples.Count > 0)
                {
                    notes.Add($"{window.Name}, {kind} errors, first ones: " + string.Join(" | ", stats.ErrorSamples.Select(s => s.ReplaceLineEndings(" "))));
                }
                if (stats.TransportErrors > 0)
                {
                    notes.Add($"{window.Name}, {kind}: {stats.TransportErrors} requests failed without an HTTP answer (connection refused or reset).");
                }
            }
        }
        foreach (var degraded in report.Degraded.Where(d => d.UsersReused > 0))
        {
            notes.Add($"{degraded.Scenario}: {degraded.UsersReused} requests reused a user of the window (the pool was too small), so found something cached.");
        }
        notes.Add($"Service logs of this run: {stack.LogDirectory} (not kept in git).");
        return notes;
    }
}
