using Tips.Bench.Load;
using Tips.Bench.Monitoring;

namespace Tips.Bench.Scenarios;

/// <summary>
/// One measured window: GET /tips and feedback latencies, tips served, how many calls reached the fake gateway and
/// the fake Todoist, how Tips.Api's own counters grew (where the requests went), what each request cost it, how the
/// machine's CPU was shared, and how long the bench process itself paused for GC (time its clock kept running).
/// </summary>
internal sealed record WindowResult(
    string Name,
    string Mode,
    double? OfferedRate,
    int? Clients,
    LatencyStats Tips,
    LatencyStats Feedback,
    long TipsServed,
    double? MaxSchedulerLagMs,
    long GatewayCalls,
    long TodoistCalls,
    IReadOnlyDictionary<string, double> ApiCounters,
    ServiceCost? ApiCost,
    CpuShare? Cpu,
    double BenchGcPauseMs);
