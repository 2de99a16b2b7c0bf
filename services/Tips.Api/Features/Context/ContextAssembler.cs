using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>
/// The seed's <c>build_context</c>: the person's signals and their ranked, bounded tasks, in their timezone.
/// It works on a database context of its own, so callers may run it beside other database work. What it reads
/// (tasks, timezone, signals) is kept per process for <see cref="ContextOptions.CacheFor"/> (<see cref="ContextCache"/>),
/// with the tasks' due dates already read in the person's zone. Their ranking is kept beside them until it can change
/// (<see cref="TaskRanking.HoldsUntil"/>); the local time is worked out anew on every request.
/// </summary>
internal sealed class ContextAssembler(
    IServiceScopeFactory scopes,
    IServiceProvider requestServices,
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
        var inputs = await cache.Inputs.GetOrLoadAsync(userId, ReadInputsAsync, cancellationToken,
            keep: read => read.Tasks.Origin == TasksOrigin.Fresh ? read with { Tasks = read.Tasks with { Origin = TasksOrigin.Cached } } : read,
            notAfter: read => read.Tasks.RecheckAt);
        var now = time.GetUtcNow();
        var ranked = Rank(userId, inputs, now);
        var prompt = new PromptContext(TimeZoneInfo.ConvertTime(now, inputs.Zone), inputs.Zone.Id, UserSignals.None, ranked.PromptTasks);
        return new AssembledContext(prompt, ranked.Tasks, inputs.Tasks.Origin, inputs.Zone);
    }

    /// <summary>The ranking of <paramref name="inputs"/> at <paramref name="now"/>: the one kept for them while it holds,
    /// else a new one, kept in turn.</summary>
    private RankedTasks Rank(string userId, ContextInputs inputs, DateTimeOffset now)
    {
        if (cache.Ranked.TryGet(userId, out var kept) && kept.HoldsFor(inputs, now))
        {
            return kept;
        }
        var tasks = TaskRanking.Rank(inputs.Prepared, now, inputs.Zone, options.Value.MaxTasks);
        var ranked = new RankedTasks(inputs.Prepared, now, TaskRanking.HoldsUntil(inputs.Prepared, now, inputs.Zone), tasks, [.. tasks.Select(t => t.Task)]);
        cache.Ranked.Set(userId, ranked, ranked.Until);
        return ranked;
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

        // Resolved only here, when the tasks are not cached: the Todoist client behind it is a typed HTTP client,
        // built anew for each scope (0.8 % of Tips.Api's CPU when every warm request built one). From the request's
        // services, so that a wait for Todoist gives back the request's own work slot.
        var tasks = requestServices.GetRequiredService<TodoistTaskSource>();
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

/// <summary>
/// A ranking of one read's <see cref="Prepared"/> tasks, made at <see cref="From"/>, the same for every moment before
/// <see cref="Until"/>.
/// </summary>
internal sealed record RankedTasks(
    IReadOnlyList<PreparedTask> Prepared, DateTimeOffset From, DateTimeOffset Until, IReadOnlyList<ContextTask> Tasks, IReadOnlyList<PromptTask> PromptTasks)
{
    // The very tasks it ranked, not equal ones: every read of the inputs starts a ranking of its own.
    public bool HoldsFor(ContextInputs inputs, DateTimeOffset now) => ReferenceEquals(Prepared, inputs.Prepared) && From <= now && now < Until;
}
