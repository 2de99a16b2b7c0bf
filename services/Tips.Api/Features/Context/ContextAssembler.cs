using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>
/// The seed's <c>build_context</c>: the person's signals and their ranked, bounded tasks, in their timezone.
/// It works on a database context of its own, so callers may run it beside other database work. What it reads
/// (tasks, timezone, signals) is kept per process for <see cref="ContextOptions.CacheFor"/> (<see cref="ContextCache"/>),
/// with the tasks' due dates already read in the person's zone; the ranking and the local time are worked out anew on
/// every request.
/// </summary>
internal sealed class ContextAssembler(
    IServiceScopeFactory scopes,
    TodoistTaskSource tasks,
    ContextCache cache,
    IOptions<ContextOptions> options,
    TimeProvider time) : IContextAssembler
{
    public async Task<AssembledContext> AssembleAsync(string userId, CancellationToken cancellationToken)
    {
        var context = await AssembleTasksAsync(userId, cancellationToken);
        return context with { Prompt = await WithSignalsAsync(userId, context, cancellationToken) };
    }

    public async Task<AssembledContext> AssembleTasksAsync(string userId, CancellationToken cancellationToken)
    {
        // Tasks just fetched are, for whoever reads them from the cache next, cached ones.
        var (sourced, prepared, zone) = await cache.Inputs.GetOrLoadAsync(userId, ReadInputsAsync, cancellationToken,
            keep: read => read.Tasks.Origin == TasksOrigin.Fresh ? read with { Tasks = read.Tasks with { Origin = TasksOrigin.Cached } } : read,
            notAfter: read => read.Tasks.RecheckAt);
        var now = time.GetUtcNow();
        var ranked = TaskRanking.Rank(prepared, now, zone, options.Value.MaxTasks);
        var prompt = new PromptContext(
            TimeZoneInfo.ConvertTime(now, zone),
            zone.Id,
            UserSignals.None,
            [.. ranked.Select(t => t.Task)]);
        return new AssembledContext(prompt, ranked, sourced.Origin, zone);
    }

    public async Task<PromptContext> WithSignalsAsync(string userId, AssembledContext context, CancellationToken cancellationToken)
    {
        var signals = await cache.Signals.GetOrLoadAsync(userId, (id, ct) => ReadSignalsAsync(id, context.Zone, ct), cancellationToken);
        return context.Prompt with { Signals = signals };
    }

    private async Task<ContextInputs> ReadInputsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TipsDbContext>();

        var sourced = await tasks.GetAsync(db, userId, cancellationToken);
        var timezone = await db.Users.Where(u => u.Id == userId).Select(u => u.Timezone).FirstOrDefaultAsync(cancellationToken);
        var zone = TimeZones.OrUtc(timezone);
        return new ContextInputs(sourced, TaskRanking.Prepare(sourced.Tasks, zone), zone);
    }

    private async Task<UserSignals> ReadSignalsAsync(string userId, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TipsDbContext>();
        return await UserSignalsReader.ReadAsync(db, userId, zone, time.GetUtcNow(), cancellationToken);
    }
}

/// <summary>What the assembler reads of a person's tasks and timezone, before ranking for the moment of the request.</summary>
internal sealed record ContextInputs(SourcedTasks Tasks, IReadOnlyList<PreparedTask> Prepared, TimeZoneInfo Zone);
