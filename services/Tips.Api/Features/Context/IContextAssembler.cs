using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>Stage 1's view of a person: their open Todoist tasks and their own signals.</summary>
internal interface IContextAssembler
{
    /// <summary>
    /// The person's context now: prompt context (sorted, truncated tasks + signals) and richer task facts for rules.
    /// Never throws for Todoist trouble (the last good snapshot, or no tasks, is used instead) and waits for Todoist
    /// at most <c>Todoist__Deadline</c>; throws only when <paramref name="cancellationToken"/> is cancelled or the
    /// database fails.
    /// </summary>
    Task<AssembledContext> AssembleAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="AssembleAsync"/>, without reading the person's signals: only a prompt to the LLM uses them, and
    /// most requests score cached candidates. <c>Prompt.Signals</c> is <see cref="UserSignals.None"/> until
    /// <see cref="WithSignalsAsync"/> reads them.
    /// </summary>
    Task<AssembledContext> AssembleTasksAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The prompt of <paramref name="context"/> with the person's signals (kept per process like the rest).</summary>
    Task<PromptContext> WithSignalsAsync(string userId, AssembledContext context, CancellationToken cancellationToken);
}

/// <param name="Tasks">Same order and length as <c>Prompt.Tasks</c>.</param>
/// <param name="Zone">The person's timezone (<c>Prompt.Timezone</c>), in which their signals are counted.</param>
internal sealed record AssembledContext(PromptContext Prompt, IReadOnlyList<ContextTask> Tasks, TasksOrigin Origin, TimeZoneInfo Zone);

/// <summary>A prompt task plus the facts that rules over tasks need.</summary>
/// <param name="IsDueToday">Due on today's date in the person's timezone (overdue or not).</param>
/// <param name="Url">The task in Todoist's web app.</param>
internal sealed record ContextTask(PromptTask Task, bool IsDueToday, bool IsRecurring, DateTimeOffset? AddedAt, string Url);

/// <summary>Where the tasks came from.</summary>
internal enum TasksOrigin
{
    /// <summary>No Todoist token is stored: no tasks.</summary>
    NotConnected,

    /// <summary>Read from Todoist during this call.</summary>
    Fresh,

    /// <summary>A snapshot younger than <c>Todoist__SnapshotTtl</c>; Todoist was not called.</summary>
    Cached,

    /// <summary>
    /// Todoist failed or may not be asked now (invalid token, 429 back-off, 5xx, timeout, deadline): the last good
    /// snapshot, or no tasks when there never was one.
    /// </summary>
    Stale,
}
