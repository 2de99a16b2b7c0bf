using BenchmarkDotNet.Attributes;
using Tips.Api.Features.Context;
using Tips.Contracts;

namespace Tips.Benchmarks;

/// <summary>
/// The pure per-request work of <see cref="ContextAssembler"/> for a person with 500 open tasks: reading the stored
/// snapshot (<c>task_snapshots.tasks</c>), ranking it in their timezone and bounding it to the default 20 prompt
/// tasks. The database and Todoist calls around it are not measured.
/// </summary>
[MemoryDiagnoser]
public class ContextBenchmarks
{
    private const int TaskCount = 500;
    private const int MaxTasks = 20;

    private readonly UserSignals _signals = new(0.42, 0.18, 5400, 9, 61);
    private List<SnapshotTask> _tasks = [];
    private string _snapshotJson = "";

    [GlobalSetup]
    public void Setup()
    {
        _tasks = SampleData.Tasks(TaskCount);
        _snapshotJson = SnapshotTask.Serialize(_tasks);
    }

    /// <summary>Every task's <c>due.date</c> read in the person's zone (what ranking does once per task).</summary>
    [Benchmark]
    public int ParseDueDates()
    {
        var overdue = 0;
        foreach (var task in _tasks)
        {
            if (DueDates.Parse(task.Due, SampleData.Zone) is { } due && DueDates.IsOverdue(due, SampleData.Now, SampleData.Zone))
            {
                overdue++;
            }
        }
        return overdue;
    }

    /// <summary>500 snapshot tasks sorted (overdue, priority, due, id) and cut to the 20 the prompt sees.</summary>
    [Benchmark]
    public object Rank() => TaskRanking.Rank(_tasks, SampleData.Now, SampleData.Zone, MaxTasks);

    /// <summary>The stored snapshot's JSON back to tasks, as a cached or stale context reads it on every request.</summary>
    [Benchmark]
    public object DeserializeSnapshot() => SnapshotTask.TryDeserialize(_snapshotJson)!;

    /// <summary>What the assembler does after its queries: snapshot JSON → ranked tasks → the prompt context.</summary>
    [Benchmark]
    public PromptContext AssembleFromSnapshot()
    {
        var tasks = SnapshotTask.TryDeserialize(_snapshotJson)!;
        var ranked = TaskRanking.Rank(tasks, SampleData.Now, SampleData.Zone, MaxTasks);
        return new PromptContext(
            TimeZoneInfo.ConvertTime(SampleData.Now, SampleData.Zone),
            SampleData.Zone.Id,
            _signals,
            [.. ranked.Select(t => t.Task)]);
    }
}
