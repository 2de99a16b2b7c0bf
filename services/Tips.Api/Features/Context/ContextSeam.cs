using Tips.Contracts;

namespace Tips.Api.Features.Context;

// PLACEHOLDER until the Todoist/context branch lands; replaced by its real definitions.
internal interface IContextAssembler
{
    Task<AssembledContext> AssembleAsync(string userId, CancellationToken cancellationToken);
}

internal sealed record AssembledContext(PromptContext Prompt, IReadOnlyList<ContextTask> Tasks, TasksOrigin Origin);

internal sealed record ContextTask(PromptTask Task, bool IsDueToday, bool IsRecurring, DateTimeOffset? AddedAt, string Url);

internal enum TasksOrigin { NotConnected, Fresh, Cached, Stale }

internal sealed class PlaceholderContextAssembler(TimeProvider time) : IContextAssembler
{
    public Task<AssembledContext> AssembleAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(new AssembledContext(new PromptContext(time.GetUtcNow(), "UTC", UserSignals.None, []), [], TasksOrigin.NotConnected));
}
