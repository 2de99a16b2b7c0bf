using Tips.Bench.Load;
using Tips.Bench.Monitoring;
using Tips.Bench.Options;
using Tips.Bench.Stack;

namespace Tips.Bench.Scenarios;

/// <summary>What every scenario works with.</summary>
internal sealed class BenchContext(BenchOptions options, BenchStack stack, LoadClient client, string workDirectory, CancellationToken cancellationToken)
    : IDisposable
{
    public BenchOptions Options => options;

    public BenchStack Stack => stack;

    public LoadClient Client => client;

    /// <summary>Where pgbench's script goes (next to the service logs).</summary>
    public string WorkDirectory => workDirectory;

    public CancellationToken CancellationToken => cancellationToken;

    public MetricsProbe ApiMetrics { get; } = new(stack.ApiMetrics);

    public MetricsProbe ServingMetrics { get; } = new(stack.ServingMetrics);

    public CpuAccounting Cpu { get; } = new(Environment.ProcessId, stack.Database.Admin.Port, stack.Api.Pid, stack.Serving.Pid);

    /// <summary>Tips.Api's LLM deadline, as the service reads it (its appsettings.json and environment, else its default).</summary>
    public TimeSpan LlmDeadline => stack.ApiSettings.TimeSpanSetting("Recommendations:LlmDeadline", TimeSpan.FromSeconds(2));

    /// <summary>How long Tips.Api waits for Todoist (Todoist__Deadline, default 3 s).</summary>
    public TimeSpan TodoistDeadline => stack.ApiSettings.TimeSpanSetting("Todoist:Deadline", TimeSpan.FromSeconds(3));

    /// <summary>How long a task snapshot counts as fresh (Todoist__SnapshotTtl, default 60 s).</summary>
    public TimeSpan SnapshotTtl => stack.ApiSettings.TimeSpanSetting("Todoist:SnapshotTtl", TimeSpan.FromSeconds(60));

    public void Dispose()
    {
        ApiMetrics.Dispose();
        ServingMetrics.Dispose();
    }
}
