using Tips.Bench.Scenarios;
using Tips.Bench.Stack;

namespace Tips.Bench.Reporting;

/// <summary>The build that was measured and how its services were configured (secrets masked).</summary>
internal sealed record ServicesInfo(
    string Root,
    string Commit,
    IReadOnlyDictionary<string, string> ApiEnvironment,
    IReadOnlyDictionary<string, string> ServingEnvironment,
    IReadOnlyDictionary<string, string> ApiOverrides,
    IReadOnlyDictionary<string, string> ServingOverrides,
    double LlmDeadlineMs,
    double TodoistDeadlineMs);

/// <summary>The run's own settings, as the report repeats them.</summary>
internal sealed record RunSettings(
    IReadOnlyList<string> Scenarios,
    bool Quick,
    int Users,
    int Clients,
    double Rate,
    double WarmupSeconds,
    double DurationSeconds,
    double SaturationSeconds,
    double DegradedRate,
    double DegradedDurationSeconds,
    double SoakSeconds,
    double SoakRate,
    double SampleEverySeconds,
    double FeedbackShare,
    double GatewayLatencyMs,
    double ColdLatencyMs,
    double RequestTimeoutSeconds,
    int Seed);

/// <summary>One goal of the issue: what it asks, what this run measured, and whether that meets it (null: not measured).</summary>
internal sealed record Goal(string Name, string Target, string Measured, bool? Met);

/// <summary>Everything one run measured: written as JSON, and as the markdown summary.</summary>
internal sealed record BenchReport(
    string StartedAt,
    string FinishedAt,
    double RunSeconds,
    MachineInfo Machine,
    ServicesInfo Services,
    PostgresInfo Postgres,
    RunSettings Settings,
    WarmResult? Warm,
    SoakResult? Soak,
    IReadOnlyList<DegradedResult> Degraded,
    IReadOnlyList<Goal> Goals,
    IReadOnlyList<string> Notes);
